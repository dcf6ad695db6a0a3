// OutpostClient module.
