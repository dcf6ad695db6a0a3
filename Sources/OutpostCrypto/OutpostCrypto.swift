// OutpostCrypto module.
