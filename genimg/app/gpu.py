"""A GPU for the handlers that would use one: on a ZeroGPU Space, and wherever CUDA is there.

The four handlers that run a network over many inputs (GallerySection.sample, InterpolationSection.video,
InvertSection.invert, EncodeTab.reconstruct) are decorated with `@spaces.GPU` (the `spaces` package). On a
ZeroGPU Space a decorated call gets a GPU for its duration: it runs in a worker process forked from the app, and
its arguments, `self` included, reach the worker pickled. Anywhere else (your machine, a CPU Space, the tests) the
decorator returns the function itself, so nothing changes.

- `on_gpu(model)`: the model to run, on CUDA when CUDA is there: a copy made once per model and kept, so the
  registry's CPU model, which other handlers use at the same moment, never moves; without CUDA, the model itself.
  genimg's sampling and inversion make their inputs where the model is (genimg.sampling.device_of).
- `Shared`: the base of those handlers' classes. Pickled, such an object is a reference to itself in the process:
  a built section holds Gradio components, which do not pickle, and the registry's models would be megabytes a
  call; the worker, a fork of the app made after the page was built, holds the same objects at the same keys.

`spaces` is pinned in requirements.txt: it depends on gradio, pydantic, httpx and requests, never on torch, so
installing it changes no torch build.
"""

import copy
import threading
import weakref

import torch
from torch import nn

_copies: "weakref.WeakKeyDictionary[nn.Module, nn.Module]" = weakref.WeakKeyDictionary()
_copies_lock = threading.Lock()


def on_gpu(model: nn.Module) -> nn.Module:
    """`model` on CUDA when CUDA is available (a copy made once and kept, in eval mode), else `model` itself."""
    if not torch.cuda.is_available():
        return model
    with _copies_lock:
        if model not in _copies:
            _copies[model] = copy.deepcopy(model).to("cuda").eval()
        return _copies[model]


_live: "weakref.WeakValueDictionary[int, Shared]" = weakref.WeakValueDictionary()


def _find(key: int) -> "Shared":
    return _live[key]


class Shared:
    """Pickles as a reference to this object in this process (see the module docstring); so does copy.deepcopy,
    which returns the object itself (one live section per page)."""

    def __new__(cls, *args, **kwargs):
        instance = super().__new__(cls)
        _live[id(instance)] = instance  # known before any worker is forked: the page is built first
        return instance

    def __reduce__(self):
        return _find, (id(self),)
