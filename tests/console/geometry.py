"""What the layout and language tests measure in the page: the boxes of visible text, each clipped to
what its scrolling or clipping ancestors actually show, and the text nodes outside user data."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

__all__ = ["box", "overflow_x", "text_boxes", "overlaps"]

# For every visible text node: the box of each line it runs over,
# clipped by each ancestor that clips (overflow other than visible) and by the viewport. A clipped-away
# box is dropped; an ellipsis leaves the box the reader sees.
_TEXT_BOXES = """
(root) => {
  const vw = innerWidth, vh = innerHeight;
  const out = [];
  let serial = 0;
  const clip = (r, el) => {
    let [l, t, rr, b] = [r.left, r.top, r.right, r.bottom];
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') {
        const c = a.getBoundingClientRect();
        l = Math.max(l, c.left); t = Math.max(t, c.top); rr = Math.min(rr, c.right); b = Math.min(b, c.bottom);
      }
    }
    l = Math.max(l, 0); t = Math.max(t, 0); rr = Math.min(rr, vw); b = Math.min(b, vh);
    return rr - l > 1 && b - t > 1 ? { left: l, top: t, right: rr, bottom: b } : null;
  };
  for (const el of (root || document.body).querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'OPTION', 'TITLE'].includes(el.tagName)) continue;
    const texts = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim());
    if (!texts.length || !el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
    const path = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : '');
    for (const node of texts) {
      serial += 1;
      const range = document.createRange();
      range.selectNodeContents(node);
      // One rect per line the text runs over, so a wrapped text does not claim the whole block.
      for (const r of range.getClientRects()) {
        const box = clip(r, el);
        if (box) out.push({ ...box, node: serial, text: node.textContent.trim().slice(0, 60), path });
      }
    }
  }
  return out;
}
"""


def text_boxes(page: Page, root: str | None = None) -> list[dict[str, Any]]:
    handle = page.query_selector(root) if root else None
    return page.evaluate(_TEXT_BOXES, handle)  # type: ignore[no-any-return]


def overlaps(boxes: list[dict[str, Any]], tolerance: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of text boxes that cover each other by more than ``tolerance`` px both ways."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a.get("node") == b.get("node"):
                continue  # the runs of one text node (bidi splits a line into several)
            w = min(a["right"], b["right"]) - max(a["left"], b["left"])
            h = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if w > tolerance and h > tolerance:
                found.append((f"{a['path']} {a['text']!r}", f"{b['path']} {b['text']!r}"))
    return found


def box(page: Page, selector: str) -> dict[str, float]:
    b = page.locator(selector).first.bounding_box()
    assert b is not None, f"{selector} is not displayed"
    return {"left": b["x"], "top": b["y"], "right": b["x"] + b["width"], "bottom": b["y"] + b["height"],
            "height": b["height"], "width": b["width"]}


def overflow_x(page: Page) -> int:
    """How many px the page is wider than the window (0: no horizontal scrolling)."""
    return page.evaluate(  # type: ignore[no-any-return]
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - innerWidth")
