#!/usr/bin/env bash
# Accepts every received snapshot (Verify's convention): moves *.received.cs over *.verified.cs. Review the diff first.
set -euo pipefail
cd "$(dirname "$0")"
find . -name '*.received.cs' -print0 | while IFS= read -r -d '' f; do mv "$f" "${f%.received.cs}.verified.cs"; echo "accepted ${f%.received.cs}.verified.cs"; done
