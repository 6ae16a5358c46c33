import Foundation
import StrictJSON
import Testing

/// On valid documents the strict reader means what Foundation's JSONDecoder (the reader it
/// replaced) means, and exactly what was written.
@Suite struct JSONReaderAgreementTests {
    static let documents = 3_000

    @Test func readsGeneratedDocumentsAsWrittenAndAsFoundationDoes() throws {
        for seed in 0..<UInt64(Self.documents) {
            var generator = JSONGenerator(seed: seed)
            let tree = generator.value(depth: 4)
            let bytes = generator.write(tree)
            let text = String(decoding: bytes, as: UTF8.self)
            let ours = try #require(try? JSONReader.read(bytes), "seed \(seed): refused \(text)")
            #expect(ours == tree, "seed \(seed): \(text)")
            let theirs = try #require(FoundationJSON.decode(bytes), "seed \(seed): Foundation refused \(text)")
            #expect(FoundationJSON.agree(ours, theirs), "seed \(seed): Foundation read \(theirs) from \(text)")
        }
    }

    @Test func readsEveryTopLevelKindAsFoundationDoes() throws {
        for seed in 0..<UInt64(500) {
            var generator = JSONGenerator(seed: seed &* 7_919)
            let tree = generator.value(depth: 0)
            let bytes = generator.write(tree)
            let ours = try JSONReader.read(bytes)
            #expect(ours == tree)
            #expect(FoundationJSON.decode(bytes).map { FoundationJSON.agree(ours, $0) } == true, "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    /// The fuzzer's case: Foundation truncates a fraction past 2^53, we round it; the oracle
    /// lets the two be one Double step apart there, and no further.
    @Test func agreesWithFoundationsTruncationOfALargeFractionButNoFurther() throws {
        let bytes = Array("[9223303685477577.50]".utf8)
        let ours = try JSONReader.read(bytes)
        let theirs = try #require(FoundationJSON.decode(bytes))
        #expect(ours != theirs)
        #expect(FoundationJSON.agree(ours, theirs))
        #expect(!FoundationJSON.agree(.number(9_223_303_685_477_582), theirs))
    }
}
