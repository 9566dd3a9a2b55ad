"""Where evaluation results go: merged into card.json, summarised for the terminal, tabled in README.
"""

import json
import math
from pathlib import Path

from ..checkpoints import atomic_write_bytes, atomic_write_json
from .evaluator import README_MARKERS, EvalError

CAS_MARKERS = ("<!-- cas:start -->", "<!-- cas:end -->")  # optional in README: the CAS and detector table


def merge_into_card(directory: Path, results: dict, command: str) -> None:
    """card.json's 'metrics' updated with the results (other keys kept), written atomically."""
    card = json.loads((directory / "card.json").read_text(encoding="utf-8"))
    card["metrics"] = {**card.get("metrics", {}), **results, "command": command}
    atomic_write_json(directory / "card.json", card)


def merge_section(directory: Path, key: str, record: dict, command: str) -> None:
    """card.json's metrics[key] replaced by the record and its command (other metrics kept), written atomically."""
    card = json.loads((directory / "card.json").read_text(encoding="utf-8"))
    card["metrics"] = {**card.get("metrics", {}), key: {**record, "command": command}}
    atomic_write_json(directory / "card.json", card)


# --- reporting --------------------------------------------------------------------------------


def fmt(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def summary_lines(kind: str, m: dict) -> list[str]:
    """Human-readable lines for the terminal."""
    lines = [f"dataset {m['dataset']}; feature space {m['feature_space']}; classifier test accuracy "
             f"{m['classifier_test_accuracy']:.4f}; {m['reference']}"]

    def sample_line(s: dict, what: str) -> str:
        f = s["floor"]
        line = (f"{what} ({s['num_samples']} samples): FID {s['fid']:.3f} (floor {f['fid']:.3f}), "
                f"KID {s['kid']:.5f} ± {s['kid_std']:.5f} (floor {f['kid']:.5f}), precision {s['precision']:.3f} "
                f"(floor {f['precision']:.3f}), recall {s['recall']:.3f} (floor {f['recall']:.3f}), class KL "
                f"{s['class_kl']:.4f}\n  class histogram {s['class_histogram']}\n  data histogram  "
                f"{s['data_class_histogram']}")
        if "memorisation" in s:
            c = s["memorisation"]
            line += (f"\n  memorisation: copy fraction {c['copy_fraction']:.4f} (share of samples nearer a training "
                     f"image than {c['threshold_percentile']:g}% of test images are: {c['threshold']:.3f}); median "
                     f"nearest-train distance {c['sample_nearest_train_median']:.3f} vs test images' "
                     f"{c['test_nearest_train_median']:.3f}")
        return line

    if "fid" in m:
        lines.append(sample_line(m, "samples"))
    if "conditional_accuracy" in m:
        lines.append(f"conditional accuracy {m['conditional_accuracy']:.4f}, per class "
                     f"{m['conditional_accuracy_per_class']}")
    if kind == "vae":
        lines.append(f"test -ELBO {m['test_loss_nats']:.2f} nats/image (recon {m['test_recon_nats']:.2f} + KL "
                     f"{m['test_kl_nats']:.2f}); IW bound (k={m['iw_samples']}) {m['iw_nll_nats']:.2f} nats")
        if "test_bits_per_dim" in m:
            lines.append(f"bits/dim: -ELBO {m['test_bits_per_dim']:.3f}, IW {m['iw_bits_per_dim']:.3f}")
        lines.append(f"active units {m['active_units']}/{m['z_dim']}; KL per dim {m['kl_per_dim']}")
        lines.append(f"recon MSE {m['recon_mse']:.5f}, PSNR {m['recon_psnr_db']:.2f} dB; linear probe "
                     f"accuracy {m['linear_probe_accuracy']:.4f}")
        lines.append(sample_line(m["samples"], "standard prior N(0, I) samples"))
        if "samples_learned_prior" in m:
            lines.append(sample_line(m["samples_learned_prior"],
                                     f"learned prior ({m['prior']['components']}-component mixture) samples"))
    if kind == "classifier":
        lines.append(f"test accuracy {m['test_accuracy']:.4f}; per class {m['test_accuracy_per_class']}")
        f = m["floor"]
        lines.append(f"real-vs-real floor: FID {f['fid']:.3f}, KID {f['kid']:.5f}, precision {f['precision']:.3f}, "
                     f"recall {f['recall']:.3f}")
    return lines


def cas_lines(m: dict) -> list[str]:
    """CAS as a small terminal table: what each classifier was trained on, its test accuracy, balanced."""
    r = m["recipe"]

    def row(trained_on: str, labels: str, accuracy: float, balanced: float, mark: str = "") -> str:
        return f"  {trained_on:<52} {labels:<7} {accuracy:>8.4f} {balanced:>8.4f}{mark}"

    lines = [f"CAS (Ravuri & Vinyals 2019) on {m['dataset']}: each row a fresh classifier of the ruler's architecture, "
             f"{r['steps']} steps x {r['batch_size']} images ({m['epochs']} epochs), tested on the real test split "
             f"({m['test_images']} images)",
             f"  {'trained on':<52} {'labels':<7} {'accuracy':>8} {'balanced':>8}",
             row(f"real train split ({m['train_images']})", "true", m["real"], m["real_balanced"])]
    for prior, g in (m.get("by_prior") or {m["prior"]: m}).items():
        lines += [row(f"generated, seeds {g['seeds']}, {prior} prior", g["labels"], g["cas"], g["cas_balanced"],
                      "   <- CAS"),
                  row(f"real + generated ({prior} prior)", "both", g["real_plus_generated"],
                      g["real_plus_generated_balanced"])]
    lines += [row(f"(the ruler itself: its own recipe, {m['ruler_epochs']} epochs)", "true", m["ruler"],
                  m["ruler_balanced"]), f"  note: {m['note']}"]
    return lines


def detector_lines(m: dict) -> list[str]:
    return [f"detector (real vs generated) on {m['dataset']}, {m['sampling']}: trained on the {m['train']['real']} vs "
            f"{m['train']['generated']} samples (seeds {m['train']['seeds']}), tested on the {m['test']['real']} vs "
            f"{m['test']['generated']} fresh samples (seeds {m['test']['seeds']})",
            f"  held-out accuracy {m['accuracy']:.4f} (real called real {m['real_called_real']:.4f}, generated "
            f"called generated {m['generated_called_generated']:.4f}), AUC {m['auc']:.4f}; {m['budget']}"]


def readme_table(root: Path) -> str:
    """Markdown tables of every checkpoints/<dataset>/<kind>/card.json that holds evaluator metrics."""
    cards = {}
    for path in sorted(root.glob("*/*/card.json")):
        card = json.loads(path.read_text(encoding="utf-8"))
        if {"fid", "iw_nll_nats", "floor"} & set(card.get("metrics", {})):  # evaluated by this module
            cards[(path.parent.parent.name, card.get("kind"))] = (path.parent, card)
    out = ["Rebuilt from the cards by `python -m genimg.evaluate --readme`; how to read it: below the table.", ""]
    gans = [(d, c) for (_, kind), (d, c) in cards.items() if kind == "gan"]
    if gans:
        out += ["| GAN | FID (floor) | KID (floor) | precision (floor) | recall (floor) | class KL | "
                "conditional acc. | copy fraction | training |", "|---|---|---|---|---|---|---|---|---|"]
        for d, c in gans:
            m, f = c["metrics"], c["metrics"]["floor"]
            out.append(f"| `{d}` | {fmt(m['fid'])} ({fmt(f['fid'])}) | {fmt(m['kid'])} ({fmt(f['kid'])}) "
                       f"| {fmt(m['precision'], 3)} ({fmt(f['precision'], 3)}) | {fmt(m['recall'], 3)} "
                       f"({fmt(f['recall'], 3)}) | {fmt(m['class_kl'], 4)} | {fmt(m.get('conditional_accuracy'), 4)} "
                       f"| {copy_fraction(m)} | {c.get('epochs')} epochs, {fmt(c.get('wall_time_s', 0) / 60, 1)} min |")
        out.append("")
    vaes = [(d, c) for (_, kind), (d, c) in cards.items() if kind == "vae"]
    if vaes:
        out += ["| VAE | test −ELBO (nats) | IW bound k=100 | bits/dim (IW) | KL | active units | recon MSE | PSNR dB "
                "| linear probe | sample FID N(0, I) (floor) | training |",
                "|---|---|---|---|---|---|---|---|---|---|---|"]
        for d, c in vaes:
            m = c["metrics"]
            s = m["samples"]
            bits = (f"{fmt(m['test_bits_per_dim'], 3)} ({fmt(m.get('iw_bits_per_dim'), 3)})"
                    if "test_bits_per_dim" in m else "–")  # colour VAEs only
            out.append(f"| `{d}` | {fmt(m['test_loss_nats'])} | {fmt(m['iw_nll_nats'])} | {bits} "
                       f"| {fmt(m['test_kl_nats'])} | {m['active_units']}/{m['z_dim']} | {fmt(m['recon_mse'], 4)} "
                       f"| {fmt(m['recon_psnr_db'])} | {fmt(m['linear_probe_accuracy'], 4)} "
                       f"| {fmt(s['fid'])} ({fmt(s['floor']['fid'])}) | "
                       f"{c.get('epochs')} epochs, {fmt(c.get('wall_time_s', 0) / 60, 1)} min |")
        out.append("")
        out += ["| VAE samples | prior | FID (floor) | KID (floor) | precision (floor) | recall (floor) "
                "| copy fraction |", "|---|---|---|---|---|---|---|"]
        for d, c in vaes:
            m = c["metrics"]
            priors = [("N(0, I)", m["samples"])]
            if "samples_learned_prior" in m:
                priors.append((f"learned, {m['prior']['components']}-component mixture", m["samples_learned_prior"]))
            for name, s in priors:
                f = s["floor"]
                out.append(f"| `{d}` | {name} | {fmt(s['fid'])} ({fmt(f['fid'])}) | {fmt(s['kid'])} ({fmt(f['kid'])}) "
                           f"| {fmt(s['precision'], 3)} ({fmt(f['precision'], 3)}) | {fmt(s['recall'], 3)} "
                           f"({fmt(f['recall'], 3)}) | {copy_fraction(s)} |")
        out.append("")
    classifiers = [(d, c) for (_, kind), (d, c) in cards.items() if kind == "classifier"]
    if classifiers:
        out += ["| classifier (the ruler) | test accuracy | feature dim | floor: FID, KID, precision, recall "
                "| training |", "|---|---|---|---|---|"]
        for d, c in classifiers:
            m, f = c["metrics"], c["metrics"]["floor"]
            out.append(f"| `{d}` | {fmt(m['test_accuracy'], 4)} | {m.get('feature_dim')} | {fmt(f['fid'])}, "
                       f"{fmt(f['kid'])}, {fmt(f['precision'], 3)}, {fmt(f['recall'], 3)} | {c.get('epochs')} epochs |")
        out.append("")
    if not cards:
        out.append(f"(no evaluated checkpoints under {root})")
    return "\n".join(out).rstrip() + "\n"


def cas_table(root: Path) -> str:
    """Markdown table of CAS and the detector from every checkpoints/<dataset>/<kind>/card.json that holds them."""
    out = ["Rebuilt from the cards by `python -m genimg.evaluate --readme`. Accuracy on the real test split, "
           "balanced accuracy (the mean of per-class accuracies) in brackets. In a row, every CAS classifier has the "
           "ruler's architecture and the same number of steps; the detector learns real vs generated (twice the "
           "images) for the same number of epochs.", "",
           "| model | samples | labels | CAS | real | real + generated | detector acc. (AUC) | budget |",
           "|---|---|---|---|---|---|---|---|"]
    prior_names = {"standard": "N(0, I)", "learned": "learned prior"}
    rows = 0
    for path in sorted(root.glob("*/*/card.json")):
        m = json.loads(path.read_text(encoding="utf-8")).get("metrics", {})
        cas, detector = m.get("cas"), m.get("detector")
        if not cas and not detector:
            continue
        d = path.parent
        found = f"{fmt(detector['accuracy'], 4)} ({fmt(detector['auc'], 4)})" if detector else "–"
        found_budget = f"detector {detector['epochs']} ep. ({detector['recipe']['steps']} steps)" if detector else ""
        if not cas:
            out.append(f"| `{d}` | {detector['sampling']} | – | – | – | – | {found} | {found_budget} |")
            rows += 1
            continue
        for prior, g in (cas.get("by_prior") or {cas["prior"]: cas}).items():
            seen = detector is not None and detector.get("prior") == prior
            budget = f"CAS {cas['epochs']} ep. ({cas['recipe']['steps']} steps)" + (f"; {found_budget}" if seen else "")
            out.append(f"| `{d}` | {g['samples']}, {prior_names.get(prior, prior)} | {g['labels']} "
                       f"| {fmt(g['cas'], 4)} ({fmt(g['cas_balanced'], 4)}) "
                       f"| {fmt(cas['real'], 4)} ({fmt(cas['real_balanced'], 4)}) "
                       f"| {fmt(g['real_plus_generated'], 4)} ({fmt(g['real_plus_generated_balanced'], 4)}) "
                       f"| {found if seen else '–'} | {budget} |")
            rows += 1
    if not rows:
        return f"(no card under {root} holds CAS or detector figures)\n"
    return "\n".join(out) + "\n"


def copy_fraction(samples: dict) -> str:
    c = samples.get("memorisation")
    return "–" if c is None else f"{c['copy_fraction']:.4f}"


def replace_between(text: str, markers: tuple[str, str], body: str, path: Path) -> str:
    start, end = markers
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise EvalError(f"{path}: needs exactly one {start} followed by one {end} line to put the table between")
    head, rest = text.split(start)
    _, tail = rest.split(end)
    return f"{head}{start}\n{body}{end}{tail}"


def update_readme(readme: Path, root: Path) -> None:
    if not readme.is_file():
        raise EvalError(f"--readme {readme}: no such file")
    text = replace_between(readme.read_text(encoding="utf-8"), README_MARKERS, readme_table(root), readme)
    if CAS_MARKERS[0] in text or CAS_MARKERS[1] in text:  # the CAS table is optional; half a pair is an error
        text = replace_between(text, CAS_MARKERS, cas_table(root), readme)
    atomic_write_bytes(readme, text.encode())
