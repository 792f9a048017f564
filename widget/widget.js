// Trust-seal badge widget. Budget: 2 KB gzipped as served (tests/widget); the server strips
// indentation and these comment lines, so comment freely but keep code lines lean.
(() => {
  'use strict';
  const me = document.currentScript;
  if (!me) return;
  const origin = new URL(me.src).origin;
  const conf = me.dataset;
  const T = {
    fa: {
      active: 'معتبر', suspended: 'تعلیق‌شده', expired: 'منقضی‌شده', revoked: 'باطل‌شده',
      foreign: 'نماد این سایت نیست', invalid: 'نماد نامعتبر', alt: 'نماد اعتماد الکترونیکی',
      until: 'اعتبار تا ', stars: ' از ۵ ستاره', loc: 'fa-IR-u-ca-persian', dir: 'rtl',
    },
    en: {
      active: 'Valid', suspended: 'Suspended', expired: 'Expired', revoked: 'Revoked',
      foreign: "Not this site's seal", invalid: 'Invalid seal', alt: 'Electronic trust seal',
      until: 'Valid until ', stars: ' of 5 stars', loc: 'en-GB', dir: 'ltr',
    },
  };
  // A constructed sheet, not a <style>: host pages with a strict style-src still apply it.
  const CSS = '.w{position:relative;display:inline-block}.c{display:none;position:absolute;bottom:100%;inset-inline-start:0;' +
    'z-index:9999;width:15em;padding:4px 8px;background:#fff;color:#222;border:1px solid #999;' +
    'font:13px/1.7 sans-serif}.w:hover .c,.w:focus-within .c{display:block}' +
    '.s{font-weight:bold;color:#b91c1c}' +
    '[data-s=active] .s{color:#15803d}';
  let sheet;

  const make = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    e.textContent = text || '';
    return e;
  };
  const ours = (a) => a && !a.href.indexOf(origin + '/verify/') && a.querySelector(`img[src^="${origin}/badge/"]`);

  const fill = (w, seal, t) => {
    const card = make('span', { class: 'c', id: 'c', role: 'tooltip' });
    const host = location.hostname;
    const domain = seal.domain;
    let s = seal.status;
    // The badge image is the authority's word; this only keeps the card from contradicting it.
    if (s == 'active' && host != domain && host != 'www.' + domain) s = 'foreign';
    if (!t[s]) s = 'invalid';
    w.setAttribute('data-s', s);
    const add = (cls, text, attrs) => text && card.append(make('div', { class: cls, ...attrs }, text));
    add('n', t.dir == 'rtl' ? seal.name_fa : seal.name_en || seal.name_fa);
    add('s', t[s]);
    if (s == 'active') {
      add('r', '★★★★★☆☆☆☆☆'.substr(5 - seal.stars, 5), {
        role: 'img', 'aria-label': seal.stars.toLocaleString(t.loc) + t.stars,
      });
    }
    if (seal.expires_at && s != 'foreign') {
      add('e', t.until + new Date(seal.expires_at).toLocaleDateString(t.loc, { dateStyle: 'medium' }));
    }
    add('d', domain, { dir: 'ltr' });
    w.append(card);
  };

  // Moves our link `a` into a shadow root on `host` (by default a span taking the link's place).
  // A pasted link keeps its loaded image; the page's display and alignment for it are copied, as
  // page styles stop at the shadow root, so its layout and everything around it stay put.
  const mount = (host, a, lang) => {
    const img = a.querySelector('img');
    const { display, verticalAlign } = getComputedStyle(img);
    const t = T[(lang || (/[?&]lang=en/.test(a.href + img.src) ? 'en' : conf.lang)) == 'en' ? 'en' : 'fa'];
    if (!host) a.replaceWith(host = document.createElement('span'));
    const root = host.attachShadow({ mode: 'open' });
    const w = make('span', { class: 'w', dir: t.dir, lang: t.loc.slice(0, 2) });
    // the wrapper positions the card, so it takes the image's place in the line
    w.style.display = img.style.display = display == 'inline' ? '' : display;
    w.style.verticalAlign = img.style.verticalAlign = verticalAlign;
    if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
    a.setAttribute('aria-describedby', 'c');
    w.append(a);
    root.append(w);
    // Escape dismisses the card shown on focus (WCAG 1.4.13); the focus starting point stays here
    w.onkeydown = (e) => e.key == 'Escape' && a.blur();
    fetch(a.href.replace('/verify/', '/api/v1/seals/'), { credentials: 'omit' })
      .then((r) => (r.ok ? r.json() : r.status == 404 ? { status: 'invalid' } : Promise.reject()))
      .then((seal) => fill(w, seal, t), () => {});
  };

  const scan = () => {
    for (const div of document.querySelectorAll('.seal-badge')) {
      const { sealId: id, sealCode: code } = div.dataset;
      const lang = (div.dataset.lang || conf.lang) == 'en' ? 'en' : 'fa';
      const query = '?code=' + encodeURIComponent(code) + (lang == 'en' ? '&lang=en' : '');
      let a = div.querySelector('a');
      if (!id || !code || div.shadowRoot) continue;
      if (!ours(a)) {
        a = make('a', {
          href: origin + '/verify/' + encodeURIComponent(id) + query,
          target: '_blank', rel: 'noopener', referrerpolicy: 'origin',
        });
        a.append(make('img', {
          src: origin + '/badge/' + encodeURIComponent(id) + '.svg' + query,
          referrerpolicy: 'origin', alt: T[lang].alt, width: 128, height: 160,
        }));
      }
      mount(div, a, lang);
    }
    for (const a of document.querySelectorAll(`a[href^="${origin}/verify/"]`)) {
      if (ours(a) && !a.closest('.seal-badge')) mount(null, a);
    }
  };

  scan();
  // an async script may run before the parser reaches the badges
  document.addEventListener('DOMContentLoaded', scan);
})();
