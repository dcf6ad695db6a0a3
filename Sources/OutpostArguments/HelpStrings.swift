/// The words the parser itself prints around a tool's own help text: section titles, notes and
/// error messages. Replace them to show help and usage errors in another language.
///
/// ```swift
/// var strings = HelpStrings.english
/// strings.options = "选项："
/// let tool = CommandLineTool(root: spec, strings: strings)
/// ```
public struct HelpStrings: Sendable {
    /// `OVERVIEW:` (followed by a space and the abstract).
    public var overview = "OVERVIEW:"
    /// `USAGE:` in help.
    public var usage = "USAGE:"
    /// `ARGUMENTS:`.
    public var arguments = "ARGUMENTS:"
    /// `OPTIONS:`.
    public var options = "OPTIONS:"
    /// `SUBCOMMANDS:`.
    public var subcommands = "SUBCOMMANDS:"
    /// The help of `-h, --help`.
    public var helpFlag = "Show help information."
    /// The note on repeatable options.
    public var canBeRepeated = "can be repeated"
    /// The note on an option's default value.
    public var defaultValue: @Sendable (String) -> String = { "default: \($0)" }
    /// The pointer under the subcommand list, given `outpost help customer`.
    public var seeSubcommandHelp: @Sendable (String) -> String = { "See '\($0) <subcommand>' for detailed help." }
    /// `Error:` before a usage error.
    public var errorLabel = "Error:"
    /// `Usage:` before the usage line after an error.
    public var usageLabel = "Usage:"
    /// The pointer after a usage error, given `outpost customer add`.
    public var seeMoreInformation: @Sendable (String) -> String = { "See '\($0) --help' for more information." }
    /// The message of a usage error (the default is ``ArgumentError/description``).
    public var describe: @Sendable (ArgumentError) -> String = { $0.description }

    /// `label` followed by `text`: with a space after an ASCII colon (`USAGE: outpost`), without
    /// one after a full-width colon (`用法：outpost`).
    ///
    /// Usage: `HelpStrings.labelled("用法：", "outpost status")` → `"用法：outpost status"`
    public static func labelled(_ label: String, _ text: String) -> String {
        label.hasSuffix("\u{FF1A}") ? label + text : label + " " + text
    }

    /// The English words (the default everywhere).
    public static let english = HelpStrings()

    /// English words; change properties to translate.
    public init() {}
}
