// OutpostStore module.
