"""Development process control: the servers `make run`, the tests and the bench start."""
