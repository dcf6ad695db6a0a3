/// A shell that ``CommandSpec/completionScript(for:)`` writes completion for.
///
/// Usage: `CompletionShell(rawValue: "zsh")`
public enum CompletionShell: String, Sendable, CaseIterable {
    /// bash 4 or later (`source <(outpost completion bash)`).
    case bash
    /// zsh (`source <(outpost completion zsh)`, or save as `_outpost` in a directory of `$fpath`).
    case zsh
}

extension CommandSpec {
    /// A completion script for `shell`, generated from this command tree: subcommands, options and
    /// flags (inherited ones included) at every level, option choices after an option, and file
    /// names after a `path` option. Descriptions come from the abstracts and help texts.
    ///
    /// Usage: `print(root.completionScript(for: .bash))`
    public func completionScript(for shell: CompletionShell) -> String {
        switch shell {
        case .bash: return bashCompletion()
        case .zsh: return zshCompletion()
        }
    }

    /// Every command chain of the tree, the root first, parents before children.
    func allChains() -> [[CommandSpec]] {
        var result: [[CommandSpec]] = []
        func walk(_ chain: [CommandSpec]) {
            result.append(chain)
            for subcommand in chain[chain.count - 1].subcommands { walk(chain + [subcommand]) }
        }
        walk([self])
        return result
    }

    /// Every option of the tree that takes a value.
    private func valueOptions() -> [OptionSpec] {
        var seen = Set<String>()
        var result: [OptionSpec] = []
        for chain in allChains() {
            for option in chain[chain.count - 1].options where seen.insert(option.name).inserted { result.append(option) }
        }
        return result
    }

    private var functionName: String { "_" + name.map { $0.isLetter || $0.isNumber ? $0 : "_" }.map(String.init).joined() }

    private static func pathKey(_ chain: [CommandSpec]) -> String { chain.map(\.name).joined(separator: " ") }

    /// The case labels that move the walk one level down: `"outpost customer")` etc.
    private func descendLines(indent: String) -> [String] {
        allChains().dropFirst().map { chain in
            "\(indent)\"\(Self.pathKey(chain))\") cmdpath=\"\(Self.pathKey(chain))\" ;;"
        }
    }

    private func valueOptionPattern() -> String {
        let options = valueOptions()
        return options.flatMap { option in ["--\(option.name)"] + (option.short.map { ["-\($0)"] } ?? []) }.joined(separator: "|")
    }

    private func bashCompletion() -> String {
        let options = valueOptions()
        var lines = [
            "# bash completion for \(name), generated from its command tree.",
            "# Load it with: source <(\(name) completion bash)",
            "\(functionName)() {",
            "    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\" cmdpath=\"\(name)\" word i",
            "    for ((i = 1; i < COMP_CWORD; i++)); do",
            "        word=\"${COMP_WORDS[i]}\"",
            "        case \"$word\" in",
        ]
        let pattern = valueOptionPattern()
        if !pattern.isEmpty { lines.append("            \(pattern)) ((i++)); continue ;;") }
        lines += [
            "        esac",
            "        case \"$cmdpath $word\" in",
        ]
        lines += descendLines(indent: "            ")
        lines += [
            "        esac",
            "    done",
            "    case \"$prev\" in",
        ]
        for option in options where !option.choices.isEmpty {
            lines.append("        --\(option.name)) COMPREPLY=($(compgen -W \"\(option.choices.joined(separator: " "))\" -- \"$cur\")); return ;;")
        }
        if !pattern.isEmpty { lines.append("        \(pattern)) COMPREPLY=(); return ;;") }
        lines += [
            "    esac",
            "    local words=\"\"",
            "    case \"$cmdpath\" in",
        ]
        for chain in allChains() {
            let command = chain[chain.count - 1]
            let words = command.subcommands.map(\.name)
                + Self.acceptedOptions(chain).map { "--\($0.name)" } + Self.acceptedFlags(chain).map { "--\($0.name)" } + ["--help"]
            lines.append("        \"\(Self.pathKey(chain))\") words=\"\(words.joined(separator: " "))\" ;;")
        }
        lines += [
            "    esac",
            "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))",
            "}",
            "complete -o default -F \(functionName) \(name)",
            "",
        ]
        return lines.joined(separator: "\n")
    }

    /// Text safe inside a zsh single-quoted `name:description` item.
    private static func zshItem(_ word: String, _ description: String) -> String {
        let flat = description.split(whereSeparator: \.isNewline).joined(separator: " ")
        let escapedWord = word.flatMap { $0 == ":" ? ["\\", ":"] : [$0] }
        let item = String(escapedWord) + ":" + flat
        return "'" + item.flatMap { $0 == "'" ? Array("'\\''") : [$0] } + "'"
    }

    private func zshCompletion() -> String {
        let options = valueOptions()
        var lines = [
            "#compdef \(name)",
            "# zsh completion for \(name), generated from its command tree.",
            "# Load it with: source <(\(name) completion zsh), or save it as \(functionName) in a directory of $fpath.",
            "\(functionName)() {",
            "    local cmdpath=\"\(name)\" word i",
            "    for ((i = 2; i < CURRENT; i++)); do",
            "        word=\"${words[i]}\"",
            "        case \"$word\" in",
        ]
        let pattern = valueOptionPattern()
        if !pattern.isEmpty { lines.append("            \(pattern)) ((i++)); continue ;;") }
        lines += [
            "        esac",
            "        case \"$cmdpath $word\" in",
        ]
        lines += descendLines(indent: "            ")
        lines += [
            "        esac",
            "    done",
            "    case \"${words[CURRENT-1]}\" in",
        ]
        for option in options {
            let action: String
            if !option.choices.isEmpty {
                action = "compadd -- \(option.choices.joined(separator: " "))"
            } else if option.valueName == "path" {
                action = "_files"
            } else {
                action = "_message '\(option.valueName.filter { $0 != "'" })'"
            }
            lines.append("        --\(option.name)) \(action); return ;;")
        }
        lines += [
            "    esac",
            "    local -a subcommands options",
            "    case \"$cmdpath\" in",
        ]
        for chain in allChains() {
            let command = chain[chain.count - 1]
            let subcommands = command.subcommands.map { Self.zshItem($0.name, $0.abstract) }
            let optionItems = Self.acceptedOptions(chain).map { Self.zshItem("--\($0.name)", $0.help) }
                + Self.acceptedFlags(chain).map { Self.zshItem("--\($0.name)", $0.help) }
            lines.append("        \"\(Self.pathKey(chain))\")")
            lines.append("            subcommands=(\(subcommands.joined(separator: " ")))")
            lines.append("            options=(\(optionItems.joined(separator: " ")) '--help') ;;")
        }
        lines += [
            "    esac",
            "    if [[ \"${words[CURRENT]}\" == -* ]]; then",
            "        _describe -t options 'option' options",
            "    elif (( ${#subcommands} )); then",
            "        _describe -t commands 'command' subcommands",
            "    else",
            "        _files",
            "    fi",
            "}",
            "if [[ \"$funcstack[1]\" == \(functionName) ]]; then",
            "    \(functionName) \"$@\"",
            "else",
            "    compdef \(functionName) \(name)",
            "fi",
            "",
        ]
        return lines.joined(separator: "\n")
    }
}
