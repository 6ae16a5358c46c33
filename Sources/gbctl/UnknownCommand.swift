import ArgumentParser
import Suggestions

/// Finds the first word of a command line that should name a subcommand and does not.
enum UnknownCommand {
    /// "unknown command `deal` (did you mean `deals`?); …" or nil when every command word is known.
    static func message(for arguments: [String], root: any ParsableCommand.Type) -> String? {
        var subcommands = root.configuration.subcommands
        var path: [String] = []
        for word in arguments {
            // Options end the command words; so do the arguments of a command without subcommands.
            if word.hasPrefix("-") || subcommands.isEmpty || word == "help" { return nil }
            var names: [String] = []
            var next: (any ParsableCommand.Type)?
            for subcommand in subcommands {
                let configuration = subcommand.configuration
                let name = configuration.commandName ?? subcommand._commandName
                names.append(name)
                if name == word || configuration.aliases.contains(word) { next = subcommand }
            }
            guard let next else {
                let prefix = path.isEmpty ? "" : path.joined(separator: " ") + " "
                let hint = Suggestion.closest(to: word, among: names).map { " (did you mean `\(prefix)\($0)`?)" } ?? ""
                return "unknown command `\(prefix)\(word)`\(hint); the commands are \(names.joined(separator: ", ")) "
                    + "(see `gbctl \(prefix)--help`)"
            }
            subcommands = next.configuration.subcommands
            path.append(word)
        }
        return nil
    }
}
