"""The GAN tab's interpolation section: seed A, seed B, frames and the scrubber t (Gradio controls), and the view
(web/views/interpolation.js) that draws frame t in the browser, makes the looping GIF there, and asks the server
for the MP4. The server's handlers stay for gradio_client and MCP and as the page's fallback.

Public events (README "API"): `interpolate(model, seed_a, seed_b, frames, psi, label)` -> a GIF,
`video(model, seed_a, seed_b, frames, psi, label)` -> an MP4. With label 'any', seed A's class throughout.
"""

import gradio as gr
import spaces

from ....images import gif_bytes, to_pil, upscale, video_bytes
from ....sampling import interpolate, linear_path, loop_path
from ... import gpu
from ...checks import check_int, check_psi, check_seed, user_errors
from ...i18n import request_language
from ...limits import FRAMES_RANGE, GIF_SIDE
from ...page import api_endpoint, hook, view
from ...registry import Registry


class InterpolationSection(gpu.Shared):
    """Handlers and, after `build`, the section's controls."""

    def __init__(self, registry: Registry):
        self.registry = registry

    def checked(self, model: str, seed_a, seed_b, frames, psi, lang: str):
        gan = self.registry.get(model, "gan", lang).model
        with user_errors(lang):
            return (gan, check_seed(seed_a, "seed A"), check_seed(seed_b, "seed B"),
                    check_int(frames, "frames", *FRAMES_RANGE), check_psi(psi))

    def interpolate(self, model: str, seed_a: int, seed_b: int, frames: int, psi: float, label: str,
                    request: gr.Request | None = None) -> str:
        """Slerp from seed A's latent to seed B's in `frames` steps -> path of a looping GIF.

        With label 'any' a conditional GAN keeps seed A's class for every frame.
        """
        lang = request_language(request)
        gan, seed_a, seed_b, frames, psi = self.checked(model, seed_a, seed_b, frames, psi, lang)
        with user_errors(lang):
            images = interpolate(gan, seed_a, seed_b, linear_path(frames), psi, label or "any")
        gif = gif_bytes([upscale(to_pil(i), GIF_SIDE) for i in images])
        return self.registry.write_output(gif, ".gif", f"genimg-{model}-seed-{seed_a}-to-{seed_b}")

    @spaces.GPU
    def video(self, model: str, seed_a: int, seed_b: int, frames: int, psi: float, label: str,
              request: gr.Request | None = None) -> str:
        """A looping H.264 MP4 that morphs seed A's image into seed B's and back (spherical interpolation of z).

        Args:
            model: the dataset name of the model, e.g. "mnist" or "emoji".
            seed_a: the seed the loop starts and ends on (0 to 4294967295).
            seed_b: the seed it reaches half way (0 to 4294967295).
            frames: frames in the video, from 2 to 60 (24 frames play for one second).
            psi: truncation from 0 to 2 (1 = none).
            label: "any" (seed A's class throughout) or a class name of a conditional GAN.
        Returns:
            the path of the MP4 (H.264, yuv420p, 24 frames per second; every frame scaled up crisply).
        """
        lang = request_language(request)
        gan, seed_a, seed_b, frames, psi = self.checked(model, seed_a, seed_b, frames, psi, lang)
        with user_errors(lang):
            images = interpolate(gpu.on_gpu(gan), seed_a, seed_b, loop_path(frames), psi, label or "any")
        return self.registry.write_output(video_bytes(images), ".mp4", f"genimg-{model}-seed-{seed_a}-to-{seed_b}")

    def build(self, i18n: gr.I18n) -> None:
        with gr.Accordion(i18n("gan_interpolate_accordion"), open=True, elem_id="interp-live-section"):
            with gr.Row(equal_height=True):
                # no minimum=: Gradio's own range message is English; the page and check_seed say it in the
                # page's language
                self.seed_a = gr.Number(0, label=i18n("gan_seed_a_label"), precision=0, min_width=100, elem_id="seed-a")
                self.seed_b = gr.Number(1, label=i18n("gan_seed_b_label"), precision=0, min_width=100, elem_id="seed-b")
                self.frames = gr.Slider(*FRAMES_RANGE, value=24, step=1, label=i18n("gan_frames_label"),
                                        min_width=160, elem_id="frames")
                self.scrub = gr.Slider(0.0, 1.0, value=0.0, step=0.01, label=i18n("gan_interp_t_label"),
                                       elem_id="interp-t", min_width=200)
            self.view = view("interpolation", "interp-live")

    def wire(self, model: gr.Dropdown, psi: gr.Slider, label: gr.Dropdown) -> None:
        browser = {"queue": False, "show_progress": "hidden", "api_visibility": "private"}
        self.seed_a.input(None, self.seed_a, None, js=hook("set", "a"), **browser)
        self.seed_b.input(None, self.seed_b, None, js=hook("set", "b"), **browser)
        self.scrub.input(None, self.scrub, None, js=hook("set", "t"), **browser)
        self.frames.input(None, self.frames, None, js=hook("setSetting", "frames"), **browser)
        inputs = [model, self.seed_a, self.seed_b, self.frames, psi, label]
        gan_queue = {"concurrency_id": "gan", "concurrency_limit": 2}
        api_endpoint(self.interpolate, inputs, gr.Image(type="filepath"), api_name="interpolate", **gan_queue)
        api_endpoint(self.video, inputs, gr.Video(), api_name="video", **gan_queue)
