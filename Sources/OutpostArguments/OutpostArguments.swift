// OutpostArguments module.
