print("psp-sandbox")
