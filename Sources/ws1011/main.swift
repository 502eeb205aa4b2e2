print("ws1011")
