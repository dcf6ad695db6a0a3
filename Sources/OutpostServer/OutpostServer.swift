// OutpostServer module.
