"""The gateway's tests. A package so that pytest (importlib mode) names them `tests.*`: named after
their folder (`gateway.tests.*`), they would shadow the `gateway` package itself."""
