// OutpostCLI module.
