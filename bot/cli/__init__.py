"""The command line: the one place that wires config, knowledge, answerer, question log and front end."""
