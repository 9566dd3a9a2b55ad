// The page's way to the server, for what the browser cannot do (MP4, nearest training images) and as the fallback
// when the in-browser runtime cannot load: Gradio's own HTTP API (POST gradio_api/call/<api_name>, then read the
// result's event stream), the same endpoints and parameters gradio_client uses. One job: call an endpoint and
// return its data, or throw an Error carrying the server's message (already in the page's language: the server
// reads the language cookie the page sets).

const ROOT = new URL(".", document.baseURI).href; // the app's root, also under a sub-path or a Space's proxy

/** True when a Gradio server serves this page (false on the static site). */
export function hasServer() {
  return Boolean(window.gradio_config);
}

/** Calls `api_name` with `data` (the endpoint's parameters, in order) -> its outputs, as a list. */
export async function callServer(apiName, data) {
  if (!hasServer()) throw new Error("no server: this page is the static site");
  const started = await fetch(`${ROOT}gradio_api/call/${apiName}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ data }),
  });
  if (!started.ok) throw new Error(`${apiName}: HTTP ${started.status}`);
  const { event_id: eventId } = await started.json();
  const stream = await fetch(`${ROOT}gradio_api/call/${apiName}/${eventId}`);
  const text = await stream.text(); // "event: complete\ndata: [...]\n\n", or "event: error\ndata: {...}"
  let event = null;
  let result = null;
  for (const line of text.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:") && (event === "complete" || event === "error")) {
      result = { event, data: JSON.parse(line.slice(5)) };
    }
  }
  if (!result) throw new Error(`${apiName}: the server sent no result`);
  if (result.event === "error") {
    throw new Error((result.data && result.data.error) || `${apiName} failed on the server`);
  }
  return result.data;
}

/** Uploads bytes to the server (for an endpoint that takes a file) -> the FileData to pass as that parameter. */
export async function uploadToServer(blob, name) {
  const form = new FormData();
  form.append("files", blob, name);
  const response = await fetch(`${ROOT}gradio_api/upload`, { method: "POST", body: form });
  if (!response.ok) throw new Error(`upload: HTTP ${response.status} ${await response.text()}`);
  const [path] = await response.json();
  return { path, meta: { _type: "gradio.FileData" }, orig_name: name };
}

/** A FileData the server returned -> a URL the page can show or download. */
export function fileUrl(file) {
  if (!file) return null;
  return file.url || `${ROOT}gradio_api/file=${file.path}`;
}
