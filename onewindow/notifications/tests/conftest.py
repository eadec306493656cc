from onewindow.cases.tests.conftest import alice, bob, clerk, enterprises, filled_case

__all__ = ["alice", "bob", "clerk", "enterprises", "filled_case"]
