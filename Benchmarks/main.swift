print("ws1011-bench: not yet implemented")
