// Runs first in the page's <head>, before Gradio starts: a link's `lang` (en, zh) becomes the page's language.
// Gradio picks its labels' language from navigator.language once, at start, so this sets that; and the genimg-lang
// cookie tells the server to answer in it (genimg.app.i18n.request_language). Without `lang` the browser's own
// language rules and the cookie is cleared. A classic script, not a module: it must run before Gradio's.
(() => {
  const lang = new URLSearchParams(location.search).get("lang");
  const tags = { en: "en-US", zh: "zh-CN" };
  if (lang in tags) {
    Object.defineProperty(navigator, "language", { get: () => tags[lang], configurable: true });
    Object.defineProperty(navigator, "languages", { get: () => [tags[lang]], configurable: true });
    document.cookie = `genimg-lang=${lang}; path=/; SameSite=Lax`;
  } else {
    document.cookie = "genimg-lang=; path=/; max-age=0; SameSite=Lax";
  }
})();
