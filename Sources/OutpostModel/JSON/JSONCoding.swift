// Placeholder: JSONValue.parse / serialized() are implemented by the JSON parser work.
