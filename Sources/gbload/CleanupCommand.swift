import ArgumentParser
import Foundation
import HTTPClient
import IOCore
import LoadGen

/// `gbload cleanup [--run RUN]`: closes the test-data deals load tests left open (all runs', or
/// one run's), e.g. after `--keep-deals`, a killed run, or runs of an older gbload.
struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Close the deals load tests left open (every test-data deal, or one run's).",
        discussion: """
            Lists the test-data deals that are not closed (GET /v1/deals?testData=true as admin) and \\
            closes each (POST /v1/admin/deals/{id}/close). Exit status: 0 when all were closed (or \\
            none was open); 1 when some could not be closed; 64 for a bad command line; 69 when the \\
            service cannot be reached.
            """
    )

    @Option(help: "Only the deals of this run (the id gbload run prints in its report).") var run: String?
    @Flag(help: "List the deals, close nothing.") var dryRun = false
    @Option(help: "The service (default: GBLOAD_URL, .local/gbctl.conf's server, else http://127.0.0.1:8080).") var url: String?
    @Option(help: "Admin bearer token (default: GBLOAD_TOKEN, else .local/gbctl.conf's token).") var token: String?

    func validate() throws {
        if let run, run.isEmpty || !run.allSatisfy({ $0.isLetter || $0.isNumber }) {
            throw ValidationError("--run \(run) is not a run id like t3k9x2a (letters and digits)")
        }
    }

    func run() async throws {
        let target = try TargetOptions.service(url: url, token: token, environment: ProcessInfo.processInfo.environment)
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let deals = TestDeals(service: target.service, adminToken: target.adminToken, clients: HTTPClients(loops: group.loops))
        let open: [TestDeals.Listed]
        do {
            open = try await deals.open(run: run)
        } catch {
            FileHandle.standardError.write(Data("gbload: cannot list the test-data deals: \(error.description)\n".utf8))
            throw ExitCode(69)
        }
        let whose = run.map { "of run \($0) " } ?? ""
        guard !open.isEmpty else {
            print("no open test-data deals \(whose)")
            return
        }
        var table = TextTable(header: ["id", "status", "run", "title"], alignments: [.right, .left, .left, .left])
        for deal in open { table.append([String(deal.id), deal.status, deal.runID ?? "-", deal.title]) }
        print(table.render(), terminator: "")
        if dryRun {
            print("\(open.count) open test-data deals \(whose)(--dry-run: none closed)")
            return
        }
        let failures = await deals.close(open.map(\.id))
        for failure in failures {
            FileHandle.standardError.write(Data("gbload: deal \(failure.id) not closed: \(failure.error.description)\n".utf8))
        }
        print("closed \(open.count - failures.count) of \(open.count) open test-data deals \(whose)".trimmingCharacters(in: .whitespaces))
        if !failures.isEmpty { throw ExitCode(1) }
    }
}
