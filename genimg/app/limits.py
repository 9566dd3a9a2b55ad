"""The numbers the page and the server share: request limits, slider ranges and display sizes.

Defined once for Python here and once for the browser in genimg/app/web/limits.js; tests/test_limits.py holds
the two together. Nothing else defines them.
"""

MAX_IMAGES = 64  # images per request or gallery, anywhere in the app
PSI_RANGE = (0.0, 2.0)
Z_LIMIT = 3.0  # sliders, traversals and the latent map span [-3, 3] (the prior's +-3 std)
FRAMES_RANGE = (2, 60)
MAP_STEPS = 10  # the latent map and the pad: a MAP_STEPS x MAP_STEPS grid over [-Z_LIMIT, Z_LIMIT]^2
TRAVERSE_STEPS = 7

# Display sizes in CSS pixels: images are upscaled crisply (nearest neighbour) to the largest whole multiple <= this.
GALLERY_SIDE = 128  # a gallery picture
PICTURE_SIDE = 256  # the VAE picture, the encode tab's pictures, the direction editor, inversion
GIF_SIDE = 256  # interpolation GIF frames
