"""Program evaluation: programs, their indicators and measurements (see issue 3)."""
