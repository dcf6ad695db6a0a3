print("outpost-server")
