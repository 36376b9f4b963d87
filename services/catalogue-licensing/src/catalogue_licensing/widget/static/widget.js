// <library-catalogue isil="NO-2030000" lang="nb">: a library's digital services, from the
// platform that serves this script. No framework, no request to anyone else.
const STRINGS = /*STRINGS*/ {};
const LANGS = ["nb", "nn", "en", "nl"];
const TIMEOUT_MS = 10000;
const CSS = `
:host{all:initial;display:block;contain:content}
:host([hidden]){display:none}
.root{all:initial;display:block;box-sizing:border-box;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fff;padding:1rem;border:1px solid #8a8a8a;border-radius:6px;text-align:left;letter-spacing:normal;word-spacing:normal;text-transform:none;white-space:normal}
*,*::before,*::after{box-sizing:inherit}
h2{font-size:1.4rem;margin:0 0 .75rem;line-height:1.25;color:#1b1b1b}
h3{font-size:1.15rem;margin:0 0 .25rem;line-height:1.3;color:#1b1b1b}
p{margin:0 0 .5rem}
form{display:flex;flex-wrap:wrap;gap:.75rem;margin:0 0 .75rem;padding:0;border:0}
label{display:flex;flex-direction:column;font-weight:600;font-size:.9rem}
select,button{font:inherit;color:#1b1b1b;background:#fff;border:1px solid #595959;border-radius:4px;padding:.25rem .5rem;margin:.15rem 0 0}
button{cursor:pointer}
ul.items{list-style:none;margin:0;padding:0;display:grid;gap:1rem}
li.item{border-top:1px solid #c6c6c6;padding:.75rem 0 0;margin:0}
.meta{color:#4a4a4a;font-size:.9rem}
dl{margin:.5rem 0 0;display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.25rem 1rem}
dt{font-weight:600;margin:0}
dd{margin:0}
a{color:#0b57a4;text-decoration:underline}
a:focus-visible,select:focus-visible,button:focus-visible{outline:3px solid #0b57a4;outline-offset:2px}
.status{font-size:.9rem;color:#4a4a4a}
.problem{border-left:4px solid #a4262c;padding:.5rem .75rem;background:#fdf3f4;color:#1b1b1b}
footer{margin-top:1rem;font-size:.9rem}
@media (max-width:30rem){dl{grid-template-columns:1fr}}
`;

const sheet = (() => {
  try {
    const s = new CSSStyleSheet();
    s.replaceSync(CSS);
    return s;
  } catch {
    return null; // older browsers: a <style> in the shadow root instead
  }
})();

function pickLang(value) {
  const primary = (value || "").trim().toLowerCase().split("-")[0];
  if (primary === "no") return "nb";
  if (LANGS.includes(primary)) return primary;
  return primary ? "en" : "";
}

function say(lang, key, values = {}) {
  const text = (STRINGS[key] || {})[lang] || (STRINGS[key] || {}).en || key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// A tiny element builder: text only through text nodes, never HTML.
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function safeUrl(value, schemes) {
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

class LibraryCatalogue extends HTMLElement {
  static observedAttributes = ["isil", "lang"];

  constructor() {
    super();
    this.root = this.attachShadow({ mode: "open" });
    if (sheet) this.root.adoptedStyleSheets = [sheet];
    this.state = { category: "", audience: "" };
    this.loaded = null;
  }

  connectedCallback() {
    this.load();
  }

  disconnectedCallback() {
    this.abort?.abort();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.load();
  }

  get language() {
    return pickLang(this.getAttribute("lang")) || pickLang(document.documentElement.lang) || "nb";
  }

  api(path) {
    return new URL(path, import.meta.url).href;
  }

  frame(...children) {
    const lang = this.language;
    const style = sheet ? [] : [h("style", {}, CSS)];
    // The snippet's own link (the element's children) stays reachable: the plain page.
    const footer = h("footer", {}, h("slot"));
    const root = h("section", { class: "root", lang, "aria-busy": this.loaded ? null : "true" }, children, footer);
    this.root.replaceChildren(...style, root);
    return root;
  }

  async load() {
    const lang = this.language;
    const isil = (this.getAttribute("isil") || "").trim();
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
    this.loaded = null;
    this.frame(h("p", { class: "status", role: "status" }, say(lang, "loading")));
    try {
      const get = (path, headers) =>
        fetch(this.api(path), { headers, signal: abort.signal, credentials: "omit" });
      const [catalogue, labels] = await Promise.all([
        get(`../libraries/${encodeURIComponent(isil)}/catalogue`, { "Accept-Language": lang }),
        get(`labels?lang=${lang}`, {}),
      ]);
      if (catalogue.status === 404 || catalogue.status === 422) {
        this.problem(say(lang, "unknown", { isil }), false);
        return;
      }
      if (!catalogue.ok || !labels.ok) throw new Error(`HTTP ${catalogue.status}/${labels.status}`);
      this.loaded = { catalogue: await catalogue.json(), labels: await labels.json(), lang };
      this.render();
    } catch (error) {
      if (abort !== this.abort && error?.name === "AbortError") return; // a newer load runs
      this.problem(say(lang, "down"), true);
    } finally {
      clearTimeout(timer);
    }
  }

  problem(message, retry) {
    const lang = this.language;
    this.loaded = false;
    this.frame(
      h("h2", {}, say(lang, "title_plain")),
      h("p", { class: "problem", role: "alert" }, message),
      retry ? h("button", { type: "button", onclick: () => this.load() }, say(lang, "retry")) : null,
    );
  }

  select(name, codes, names) {
    const lang = this.loaded.lang;
    const id = `f-${name}`;
    return h(
      "label",
      { for: id },
      say(lang, name),
      h(
        "select",
        {
          id,
          name,
          onchange: (event) => {
            this.state[name] = event.target.value;
            this.renderList();
          },
        },
        h("option", { value: "" }, say(lang, "all")),
        codes.map((code) =>
          h("option", { value: code, selected: this.state[name] === code }, names[code] || code),
        ),
      ),
    );
  }

  render() {
    const { catalogue, labels, lang } = this.loaded;
    const items = catalogue.items;
    const categories = [...new Set(items.map((item) => item.category))];
    const audiences = [...new Set(items.flatMap((item) => item.audiences))];
    if (!categories.includes(this.state.category)) this.state.category = "";
    if (!audiences.includes(this.state.audience)) this.state.audience = "";
    this.status = h("p", { class: "status", role: "status" });
    this.list = h("ul", { class: "items" });
    this.frame(
      h("h2", {}, say(lang, "title", { library: catalogue.library.name })),
      h(
        "form",
        { "aria-label": say(lang, "filters"), onsubmit: (event) => event.preventDefault() },
        this.select("category", categories, labels.category),
        this.select("audience", audiences, labels.audience),
      ),
      this.status,
      this.list,
    );
    this.renderList();
  }

  renderList() {
    const { catalogue, labels, lang } = this.loaded;
    const { category, audience } = this.state;
    const shown = catalogue.items.filter(
      (item) => (!category || item.category === category) && (!audience || item.audiences.includes(audience)),
    );
    this.status.textContent = shown.length
      ? say(lang, "count", { n: shown.length, total: catalogue.items.length })
      : say(lang, "none");
    this.list.replaceChildren(...shown.map((item) => this.product(item, labels, lang)));
  }

  product(item, labels, lang) {
    const name = item.name || "";
    const launch = safeUrl(item.access.launch_url, ["https:"]);
    const contact = item.contact;
    const email = contact.email ? h("a", { href: `mailto:${contact.email}` }, contact.email) : null;
    const phone = contact.phone ? h("a", { href: `tel:${contact.phone.replace(/\s+/g, "")}` }, contact.phone) : null;
    const site = safeUrl(contact.url, ["https:", "http:"]);
    const join = (parts) => parts.filter(Boolean).flatMap((part, i) => (i ? [" · ", part] : [part]));
    return h(
      "li",
      { class: "item" },
      h("article", { "aria-label": name },
        h("h3", {}, name),
        h("p", { class: "meta" },
          join([
            labels.category[item.category] || item.category,
            item.audiences.map((code) => labels.audience[code] || code).join(", "),
            item.content_languages.length
              ? `${say(lang, "languages")}: ${item.content_languages.map((c) => labels.content_language[c] || c).join(", ")}`
              : null,
            item.available_until ? say(lang, "until", { date: item.available_until }) : null,
          ]),
        ),
        item.description ? h("p", {}, item.description) : null,
        h("dl", {},
          h("dt", {}, say(lang, "access")),
          h("dd", {},
            item.access.methods.map((code) => labels.access_method[code] || code).join(", "),
            item.access.steps ? h("p", {}, item.access.steps) : null,
            launch ? h("a", { href: launch }, say(lang, "open", { name })) : null,
          ),
          h("dt", {}, say(lang, "home_use")),
          h("dd", {}, say(lang, item.home_use.available ? "home_yes" : "home_no"), item.home_use.terms ? ` ${item.home_use.terms}` : null),
          h("dt", {}, say(lang, "sharing")),
          h("dd", {}, say(lang, item.sharing.allowed ? "sharing_yes" : "sharing_no"), item.sharing.terms ? ` ${item.sharing.terms}` : null),
          h("dt", {}, say(lang, "contact")),
          h("dd", {},
            join([contact.name, email, phone, contact.opening_hours, site ? h("a", { href: site }, site) : null]),
          ),
        ),
        h("p", { class: "meta" }, `${say(lang, "vendor")}: ${item.vendor_name}`),
      ),
    );
  }
}

if (!customElements.get("library-catalogue")) customElements.define("library-catalogue", LibraryCatalogue);
