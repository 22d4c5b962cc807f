"""This machine's float32 matrix-product speed, the ceiling the training figures are read against."""

from measurements.common import timed


class MatmulPeak:
    """GFLOP/s of `products` float32 `(n, n) @ (n, n)` products, with PyTorch or NumPy."""

    unit = "GFLOP/s"

    def __init__(self, library, size):
        import numpy as np

        n = size["size"]
        rng = np.random.default_rng(0)
        a, b = rng.standard_normal((n, n), dtype="float32"), rng.standard_normal((n, n), dtype="float32")
        if library == "torch":
            import torch

            self.a, self.b, self.matmul = torch.from_numpy(a), torch.from_numpy(b), torch.matmul
            self.label = f"torch.matmul float32 {n}x{n}"
        else:
            self.a, self.b, self.matmul = a, b, np.matmul
            self.label = f"numpy.matmul float32 {n}x{n}"
        self.products = size["products"]
        self.amount = 2 * n**3 * self.products / 1e9  # GFLOP per repeat

    def _products(self):
        for _ in range(self.products):
            self.matmul(self.a, self.b)

    def warm_up(self):
        return timed(self._products)

    def run(self):
        return timed(self._products)
