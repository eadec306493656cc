from onewindow.cases.tests.conftest import clerk, draft, enterprises, filled_case

__all__ = ["clerk", "draft", "enterprises", "filled_case"]
