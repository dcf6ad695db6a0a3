// OutpostHTTP module.
