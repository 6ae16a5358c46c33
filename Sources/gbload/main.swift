// gbload: wired up in Sources/gbload (see loadtest/README.md).
print("gbload: not wired yet")
