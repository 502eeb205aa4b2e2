print("ws1011-fuzz: not yet implemented")
