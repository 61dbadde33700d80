"""The command line: the one place that wires config, knowledge, answerer, question log and front end."""

import os

# One OpenBLAS thread unless the user sets another count: the bot multiplies only small matrices (a few
# dozen candidates by their features), and OpenBLAS starting a spinning thread per core while numpy loads
# costs every start ~0.06 s of CPU, which a busy machine pays in wall time. Set here, before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
