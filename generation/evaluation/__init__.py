"""The generation eval: run cases through the chain, measure each output, report the totals."""
