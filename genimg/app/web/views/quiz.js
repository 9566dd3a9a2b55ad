// "Real or generated?": the quiz the page state's `quiz` names ("SEED.ANSWERS", quiz.js) for the state's model.
// Its 20 pictures are made before the first is shown (the real ones cut from the committed sprite, the generated
// ones drawn by window.genimg.generate in one go), so neither kind arrives later than the other; both are drawn the
// same way, upscaled crisply to the same size. An answer is a store.set of the quiz text (the link follows): no
// request. After the 20th: the score with its 95% Wilson interval, the fooled rate (HYPE-infinity), the pictures
// that fooled the student, the detector's accuracy from the model's card, and one request, `quiz_tally`, that adds
// the counts to the class's (the Gradio app only; the static site says it needs the server).
//
// `data-state` on the host is "model|quiz" once that quiz's picture or result is on screen (tests read it).

import { GALLERY_SIDE, PICTURE_SIDE } from "../limits.js";
import { QUIZ_LENGTH, parseQuiz, quizOrder, quizScore, quizText, wilson } from "../quiz.js";
import { callServer, hasServer } from "../server.js";
import { drawImage, el, latestWins } from "./draw.js";

const percent = (share) => `${Math.round(100 * share)}%`;
const sprites = new Map(); // sprite URL -> Promise of its images [{width, height, channels, data}]

/** The real images of a sprite sheet ({sprite, size, channels, columns, count} from the page config). */
function spriteImages(info) {
  if (!sprites.has(info.sprite)) {
    sprites.set(info.sprite, new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => {
        const canvas = document.createElement("canvas");
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const context = canvas.getContext("2d");
        context.drawImage(img, 0, 0);
        const { size, channels, columns } = info;
        resolve(Array.from({ length: info.count }, (_, k) => {
          const rgba = context.getImageData((k % columns) * size, Math.floor(k / columns) * size, size, size).data;
          const data = new Uint8Array(size * size * channels); // [size, size, channels], as genimg.generate gives
          for (let p = 0; p < size * size; p++) {
            for (let c = 0; c < channels; c++) data[p * channels + c] = rgba[4 * p + c];
          }
          return { width: size, height: size, channels, data };
        }));
      };
      img.onerror = () => {
        sprites.delete(info.sprite);
        reject(new Error(`could not load ${info.sprite}`));
      };
      img.src = new URL(info.sprite, document.baseURI).href;
    }));
  }
  return sprites.get(info.sprite);
}

/** A seed for a new quiz: short, so a link stays readable. */
function newSeed() {
  return Math.floor(Math.random() * 1_000_000);
}

export function mount(element, page, host = element) {
  const { store, t } = page;
  const quizzes = page.config.quiz || {};
  const intro = el("p", { class: "genimg-quiz-intro" });
  const message = el("p", { class: "genimg-message", role: "status" });
  const progress = el("p", { class: "genimg-quiz-progress", "aria-live": "polite" });
  const picture = el("canvas", { class: "genimg-quiz-picture", role: "img" });
  const realButton = el("button", { class: "genimg-button genimg-quiz-answer", type: "button", "data-answer": "r" },
                        [el("span", { text: t("quiz_real_button") }), el("kbd", { text: "R ←" })]);
  const generatedButton = el("button", { class: "genimg-button genimg-quiz-answer", type: "button",
                                         "data-answer": "g" },
                             [el("span", { text: t("quiz_generated_button") }), el("kbd", { text: "G →" })]);
  const keys = el("p", { class: "genimg-quiz-keys", text: t("quiz_keys") });
  const answerRow = el("div", { class: "genimg-quiz-answers" }, [realButton, generatedButton]);
  const play = el("div", { class: "genimg-quiz-play" }, [progress, el("div", { class: "genimg-quiz-frame" }, [picture]),
                                                          answerRow, keys]);

  const score = el("p", { class: "genimg-quiz-score" });
  const fooled = el("p", { class: "genimg-quiz-fooled" });
  const fooledMeans = el("p", { class: "genimg-quiz-means", text: t("quiz_fooled_means") });
  const detail = el("p", { class: "genimg-quiz-detail" });
  const fooledBy = el("div", { class: "genimg-grid genimg-quiz-fooled-by", role: "list" });
  const machine = el("p", { class: "genimg-quiz-machine" });
  const again = el("button", { class: "genimg-button", type: "button", text: t("quiz_again") });
  const results = el("div", { class: "genimg-quiz-results", hidden: "" }, [
    el("h3", { text: t("quiz_result_title") }), score, fooled, fooledMeans, detail,
    el("h4", { text: t("quiz_fooled_by") }), fooledBy,
    el("h4", { text: t("quiz_machine_title") }), machine, again]);

  const classLine = el("p", { class: "genimg-quiz-class-line", role: "status" });
  const refresh = el("button", { class: "genimg-button", type: "button", text: t("quiz_class_refresh") });
  const key = el("input", { type: "password", autocomplete: "off", "aria-label": t("quiz_teacher_key"),
                            placeholder: t("quiz_teacher_key") });
  const reset = el("button", { class: "genimg-button", type: "button" });
  const teacher = el("details", { class: "genimg-quiz-teacher" }, [el("summary", { text: t("quiz_teacher") }),
                                                                   el("div", { class: "genimg-actions" }, [key, reset])]);
  const classPart = el("div", { class: "genimg-quiz-class" }, [el("h4", { text: t("quiz_class_title") }), classLine,
    el("div", { class: "genimg-actions" }, [refresh]), teacher]);
  if (!hasServer()) {
    classLine.textContent = t("quiz_class_needs_server");
    refresh.hidden = true;
    teacher.hidden = true;
  }
  element.replaceChildren(el("div", { class: "genimg-view genimg-quiz" }, [intro, message, play, results, classPart]));

  let prepared = { key: null, items: null, images: null }; // the quiz on hand: "model|seed", its items and pictures
  let preparing = null; // the "model|seed" being made now
  const tallied = new Set(); // quiz texts whose counts this page has sent

  const prepare = latestWins(async (model, seed) => {
    const info = quizzes[model];
    const g = await page.runtime();
    const gan = g && g.model(model, "gan");
    if (!gan) return { error: t("page_needs_runtime") };
    const items = quizOrder(seed, info.labels, gan.classes.length > 0);
    const reals = await spriteImages(info);
    const images = items.map((item) => (item.kind === "real" ? reals[item.index] : null));
    const byLabel = new Map(); // one generate call per class: label -> positions
    items.forEach((item, i) => {
      if (item.kind !== "generated") return;
      const label = gan.classes.includes(item.label) ? item.label : "any";
      byLabel.set(label, [...(byLabel.get(label) || []), i]);
    });
    for (const [label, positions] of byLabel) {
      const drawn = await g.generate(model, positions.map((i) => items[i].seed), 1.0, label);
      positions.forEach((i, k) => { images[i] = drawn[k]; });
    }
    return { items, images };
  });

  function clear(text = "") {
    prepared = { key: null, items: null, images: null };
    picture.width = picture.height = 0;
    play.hidden = true;
    results.hidden = true;
    fooledBy.replaceChildren();
    message.textContent = text;
    delete host.dataset.state;
  }

  function clearClass() {
    if (hasServer()) classLine.textContent = "";
    delete host.dataset.tally;
  }

  /** Puts the state's quiz on screen: its current picture, or its result after the last answer. */
  async function render() {
    const state = store.get();
    const { model } = state;
    intro.textContent = t("quiz_intro", { model });
    reset.textContent = t("quiz_reset_button", { model });
    if (!(model in quizzes)) {
      clear(t("quiz_no_images", { model, available: Object.keys(quizzes).join(", ") || "-" }));
      return;
    }
    if (state.quiz === null) {
      clear();
      if (state.tab === "quiz") setTimeout(start, 0); // not inside the store's own notification
      return;
    }
    const { seed } = parseQuiz(state.quiz);
    const key = `${model}|${seed}`;
    if (prepared.key !== key) {
      if (preparing === key) return; // already on its way (a tab switch meanwhile re-renders)
      clear(t("quiz_preparing"));
      preparing = key;
      let made;
      try {
        made = await prepare(model, seed);
      } catch (error) {
        preparing = null;
        if (store.get().model === model && store.get().quiz === state.quiz) clear(error.message);
        return;
      }
      if (preparing === key) preparing = null;
      if (!made) return; // a newer quiz is being made
      const now = store.get();
      if (now.model !== model || now.quiz === null || parseQuiz(now.quiz).seed !== seed) return;
      if (made.error) {
        clear(made.error);
        return;
      }
      prepared = { key, ...made };
      message.textContent = "";
      show(parseQuiz(store.get().quiz).answers);
      // a phone's first screen is mostly the page's header: bring the picture and both answers into sight
      const below = answerRow.getBoundingClientRect().bottom + 12 - innerHeight;
      if (!play.hidden && store.get().tab === "quiz" && below > 0) window.scrollBy(0, below);
      return;
    }
    show(parseQuiz(store.get().quiz).answers);
  }

  function show(answers) {
    const { model, quiz } = store.get();
    if (answers.length < QUIZ_LENGTH) {
      const n = answers.length + 1;
      results.hidden = true;
      play.hidden = false;
      progress.textContent = t("quiz_progress", { n, total: QUIZ_LENGTH });
      picture.setAttribute("aria-label", t("quiz_picture_label", { n, total: QUIZ_LENGTH }));
      drawImage(picture, prepared.images[answers.length], PICTURE_SIDE);
    } else {
      play.hidden = true;
      showResults(answers);
    }
    host.dataset.state = `${model}|${quiz}`;
  }

  function showResults(answers) {
    const { model } = store.get();
    const s = quizScore(prepared.items, answers);
    const [low, high] = wilson(s.correct, s.total);
    score.textContent = t("quiz_score", { correct: s.correct, total: s.total, percent: percent(s.correct / s.total),
                                          low: percent(low), high: percent(high) });
    fooled.textContent = t("quiz_fooled", { rate: percent(s.fooledRate) });
    detail.textContent = t("quiz_detail", { fakes_real: s.fakesJudgedReal, fakes: s.fakes,
                                            reals_generated: s.realsJudgedGenerated, reals: s.reals });
    fooledBy.replaceChildren(...s.wrong.map((i) => {
      const item = prepared.items[i];
      const canvas = el("canvas", { role: "img" });
      const caption = item.kind === "real" ? t("quiz_was_real") : t("quiz_was_generated", { seed: item.seed });
      canvas.setAttribute("aria-label", caption);
      drawImage(canvas, prepared.images[i], GALLERY_SIDE);
      return el("figure", { role: "listitem", "data-kind": item.kind }, [canvas, el("figcaption", { text: caption })]);
    }));
    if (!s.wrong.length) fooledBy.replaceChildren(el("p", { text: t("quiz_fooled_none") }));
    const detector = quizzes[model].detector;
    machine.textContent = detector
      ? t("quiz_detector", { model, accuracy: percent(detector.accuracy), tested: detector.tested?.toLocaleString("en-US") ?? "?",
                             auc: detector.auc === null ? "?" : detector.auc.toFixed(2),
                             percent: percent(s.correct / s.total) })
      : t("quiz_detector_missing", { model });
    results.hidden = false;
  }

  /** The class's totals on screen ({model, quizzes, answers, correct, fakes, fakes_judged_real}). */
  function showClass(totals, note = "") {
    if (totals.model !== store.get().model) return; // an answer for the model before a switch
    host.dataset.tally = JSON.stringify(totals);
    const line = totals.answers
      ? t("quiz_class_figures", { quizzes: totals.quizzes, answers: totals.answers,
                                  rate: percent((totals.answers - totals.correct) / totals.answers),
                                  fakes_real: totals.fakes ? percent(totals.fakes_judged_real / totals.fakes) : "-" })
      : t("quiz_class_empty", { model: totals.model });
    classLine.textContent = note ? `${note} ${line}` : line;
  }

  async function askServer(apiName, data, note = "") {
    try {
      const [totals] = await callServer(apiName, data);
      showClass(totals, note);
    } catch (error) {
      if (data[0] === store.get().model) classLine.textContent = error.message;
    }
  }

  function start() {
    const state = store.get();
    if (state.quiz === null && state.tab === "quiz" && state.model in quizzes) {
      store.set({ quiz: quizText({ seed: newSeed(), answers: "" }) });
    }
  }

  /** An answer ("r" or "g") to the picture on screen: the state takes it; the 20th sends the class tally. */
  function answer(letter) {
    const state = store.get();
    if (state.quiz === null || play.hidden || host.dataset.state !== `${state.model}|${state.quiz}`) return;
    const { seed, answers } = parseQuiz(state.quiz);
    if (answers.length >= QUIZ_LENGTH) return;
    const text = quizText({ seed, answers: answers + letter });
    store.set({ quiz: text });
    if (answers.length + 1 === QUIZ_LENGTH && hasServer() && !tallied.has(`${state.model}|${text}`)) {
      tallied.add(`${state.model}|${text}`);
      const s = quizScore(prepared.items, answers + letter);
      askServer("quiz_tally", [state.model, s.correct, s.total, s.fakesJudgedReal, s.fakes], t("quiz_class_added"));
    }
  }

  realButton.addEventListener("click", () => answer("r"));
  generatedButton.addEventListener("click", () => answer("g"));
  document.addEventListener("keydown", (event) => {
    if (store.get().tab !== "quiz" || play.hidden || !host.isConnected || host.offsetParent === null) return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    const arrow = event.key === "ArrowLeft" || event.key === "ArrowRight";
    if (arrow && target && target.getAttribute && target.getAttribute("role") === "tab") return; // the tab list's
    const letter = { r: "r", R: "r", ArrowLeft: "r", g: "g", G: "g", ArrowRight: "g" }[event.key];
    if (!letter) return;
    event.preventDefault();
    answer(letter);
  });
  again.addEventListener("click", () => store.set({ quiz: quizText({ seed: newSeed(), answers: "" }) }));
  refresh.addEventListener("click", () => askServer("quiz_tally", [store.get().model, 0, 0, 0, 0]));
  reset.addEventListener("click", () => {
    const { model } = store.get();
    askServer("quiz_reset", [model, key.value], t("quiz_reset_done", { model }));
  });

  store.subscribe((state, changed) => {
    if (changed.includes("model")) {
      clear(); // nothing of the old model's quiz stays on screen
      clearClass();
    }
    if (changed.some((f) => ["model", "quiz", "tab"].includes(f))) render();
  });
  render();
}
