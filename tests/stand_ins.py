"""A stand-in generator and judge whose answers are known, shared by the editing and controllability tests.

The generator is the identity (z (N, 4) drawn as a 1x4 image) and the judge reads
    a = sigmoid(z0 + z1),  b = sigmoid(z1),  c = sigmoid(z2)
so moving z1 (for b) also moves a, while c (z2) is disentangled from both.
"""
import torch

WEIGHTS = torch.tensor([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])  # (D=4, K=3)


class LinearJudge(torch.nn.Module):
    factor_names = ("a", "b", "c")

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(4, 3, bias=False)
        self.linear.weight.data = WEIGHTS.T.clone()

    def forward(self, images):
        return self.linear(images.flatten(1))  # logits

    def to_readout(self, raw):
        return torch.sigmoid(raw)

    def read(self, images):
        return self.to_readout(self(images))


def generate(z):
    return z.view(len(z), 1, 1, -1)
