// OutpostModel module.
