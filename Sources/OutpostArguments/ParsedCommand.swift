/// The result of a successful parse: which command was selected and the values given to it.
///
/// Usage:
/// ```swift
/// let parsed = try root.parse(["customer", "add", "--code", "C-001", "Acme"])
/// switch parsed.path.dropFirst() {
/// case ["customer", "add"]: try addCustomer(code: parsed.values.require("code"), ...)
/// default: break
/// }
/// ```
public struct ParsedCommand: Sendable {
    /// The command names from the root to the selected command, e.g. `["outpost", "customer", "add"]`.
    ///
    /// Usage: `parsed.path.joined(separator: " ")`
    public var path: [String]
    /// The declaration of the selected (deepest) command.
    ///
    /// Usage: `parsed.command.abstract`
    public var command: CommandSpec
    /// Option, flag and argument values, including defaults and inherited globals.
    ///
    /// Usage: `parsed.values.flag("json")`
    public var values: ParsedValues
}

/// Values collected while parsing, looked up by the names used in the declarations.
///
/// Options from every command on the path (including inherited globals) share one namespace;
/// positional arguments have their own.
///
/// Usage: `let limit = try parsed.values.int("limit") ?? 50`
public struct ParsedValues: Sendable, Equatable {
    var optionValues: [String: [String]] = [:]
    var flagCounts: [String: Int] = [:]
    var argumentValues: [String: [String]] = [:]
    var declaredOptions: [String: String] = [:]   // name -> value name
    var declaredArguments: Set<String> = []

    /// Creates an empty set of values (useful for tests of command handlers).
    ///
    /// Usage: `var values = ParsedValues()`
    public init() {}

    /// The last value given for option `name` (or its default), or `nil` when absent.
    ///
    /// Usage: `let server = values.option("server") ?? "http://localhost:8080"`
    public func option(_ name: String) -> String? {
        optionValues[name]?.last
    }

    /// Every value given for a repeatable option, in command-line order (or `[default]`).
    ///
    /// Usage: `let phones = values.options("phone")`
    public func options(_ name: String) -> [String] {
        optionValues[name] ?? []
    }

    /// Whether flag `name` was given at least once.
    ///
    /// Usage: `if values.flag("json") { ... }`
    public func flag(_ name: String) -> Bool {
        flagCount(name) > 0
    }

    /// How many times flag `name` was given, so `-vvv` gives 3.
    ///
    /// Usage: `let verbosity = values.flagCount("verbose")`
    public func flagCount(_ name: String) -> Int {
        flagCounts[name] ?? 0
    }

    /// The value of positional argument `name`, or `nil` when it was not given.
    /// For a variadic argument this is its first value.
    ///
    /// Usage: `let name = values.argument("name")`
    public func argument(_ name: String) -> String? {
        argumentValues[name]?.first
    }

    /// All values of a (typically variadic) positional argument.
    ///
    /// Usage: `for file in values.arguments("files") { ... }`
    public func arguments(_ name: String) -> [String] {
        argumentValues[name] ?? []
    }

    /// The value of option or argument `name`, throwing a user-facing error when it is missing.
    ///
    /// Usage: `let code = try values.require("code")`
    /// - Throws: ``ArgumentError/missingRequiredOption(option:valueName:)`` or
    ///   ``ArgumentError/missingRequiredArgument(_:)``.
    public func require(_ name: String) throws(ArgumentError) -> String {
        if let value = option(name) { return value }
        if let value = argument(name) { return value }
        if declaredArguments.contains(name) && declaredOptions[name] == nil {
            throw .missingRequiredArgument(name)
        }
        throw .missingRequiredOption(option: "--\(name)", valueName: declaredOptions[name] ?? name)
    }

    /// The value of option or argument `name` converted with `T(_:)`, or `nil` when absent.
    ///
    /// Usage: `let ratio = try values.value("ratio", as: Double.self)`
    /// - Throws: ``ArgumentError/invalidValue(name:value:reason:)`` when the text does not convert.
    public func value<T: LosslessStringConvertible>(_ name: String, as type: T.Type) throws(ArgumentError) -> T? {
        guard let text = option(name) ?? argument(name) else { return nil }
        guard let converted = T(text) else {
            throw .invalidValue(name: displayName(name), value: text, reason: "expected \(Self.describe(T.self))")
        }
        return converted
    }

    /// The value of option or argument `name` as an integer, or `nil` when absent.
    ///
    /// Usage: `let limit = try values.int("limit") ?? 50`
    /// - Throws: ``ArgumentError/invalidValue(name:value:reason:)`` such as
    ///   `invalid value 'ten' for --limit: expected an integer`.
    public func int(_ name: String) throws(ArgumentError) -> Int? {
        try value(name, as: Int.self)
    }

    private func displayName(_ name: String) -> String {
        if optionValues[name] != nil || declaredOptions[name] != nil { return "--\(name)" }
        return "<\(name)>"
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type, is Int32.Type: return "an integer"
        case is UInt.Type, is UInt64.Type, is UInt32.Type: return "a non-negative integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "'true' or 'false'"
        default: return "a value of type \(type)"
        }
    }
}
