"""ZeroGPU-readiness without a GPU (genimg/app/gpu.py): the four handlers that would use a GPU are decorated with
@spaces.GPU; their sections pickle as references (ZeroGPU pickles a handler's arguments, `self` included, into a
worker forked from the app), and a handler called the way ZeroGPU calls it (a forked process, its arguments and
result pickled through queues) answers exactly as a direct call; without CUDA, on_gpu leaves a model where it is.
"""

import inspect
import multiprocessing
import pickle

import gradio as gr
import numpy as np
import pytest
import torch
from test_app import tiny_mnist_checkpoints

from genimg.app import gpu
from genimg.app.i18n import TABLES
from genimg.app.registry import Registry
from genimg.app.tabs.encode import EncodeTab
from genimg.app.tabs.gan.gallery import GallerySection
from genimg.app.tabs.gan.interpolation import InterpolationSection
from genimg.app.tabs.gan.invert import InvertSection

HANDLERS = [(GallerySection, "sample"), (InterpolationSection, "video"), (InvertSection, "invert"),
            (EncodeTab, "reconstruct")]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    return Registry(tiny_mnist_checkpoints(tmp_path_factory.mktemp("checkpoints")))


@pytest.mark.parametrize(("cls", "name"), HANDLERS)
def test_the_handlers_that_would_use_a_gpu_are_decorated_and_their_sections_pickle_as_references(registry, cls, name):
    assert inspect.getsource(getattr(cls, name)).lstrip().startswith("@spaces.GPU\n")
    section = cls(registry)
    data = pickle.dumps(section)
    assert len(data) < 200  # a reference, not the registry's models
    assert pickle.loads(data) is section


def _worker(tasks, results):  # a ZeroGPU worker, reduced: a fork of the app, arguments and result pickled
    handler, args = pickle.loads(tasks.get())
    results.put(pickle.dumps(handler(*args)))


def test_a_handler_called_as_zerogpu_calls_it_answers_as_a_direct_call(registry):
    section = GallerySection(registry)
    with gr.Blocks():  # built: the section now holds Gradio components, which do not pickle
        section.build(gr.I18n(**TABLES), "mnist", registry.class_choices("mnist"))
    context = multiprocessing.get_context("fork")
    tasks, results = context.Queue(), context.Queue()
    worker = context.Process(target=_worker, args=(tasks, results), daemon=True)
    worker.start()  # forked after the page was built, as ZeroGPU's workers are
    try:
        tasks.put(pickle.dumps((GallerySection.sample, (section, "mnist", "0-3", 0.7, "any"))))  # here, not in
        gallery, _ = pickle.loads(results.get(timeout=120))  # the queue's thread: an error fails the test at once
    finally:
        worker.kill()
    direct, _ = section.sample("mnist", "0-3", 0.7, "any")
    assert [caption for _, caption in gallery] == [caption for _, caption in direct] == [f"seed {s}" for s in range(4)]
    for (image, _), (expected, _) in zip(gallery, direct):
        assert np.array_equal(np.asarray(image), np.asarray(expected))


def test_on_gpu_leaves_a_model_where_it_is_without_cuda(registry, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    model = registry.get("mnist", "gan").model
    assert gpu.on_gpu(model) is model
