"""Makes this case's kuma.db with the example's generator (sample-data/formats/uptime-kuma)."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = os.path.join(HERE, "..", "..", "..", "sample-data", "formats", "uptime-kuma", "generate.py")
subprocess.run([sys.executable, GENERATOR, HERE], check=True)
