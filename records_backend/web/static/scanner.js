/* Counter scan fields: turn key positions into characters.
 *
 * A USB scanner in keyboard mode sends the key positions of a US keyboard. When the
 * computer's layout is AZERTY or Arabic, the characters the browser reports are wrong
 * ("&" for 1, "ش" for A) but KeyboardEvent.code still names the position. So:
 *  - a burst of keys (a scanner: a few ms apart) is rebuilt from the positions alone;
 *  - a person typing gets the character of their layout when it can be part of a code,
 *    else the character of the position (AZERTY digits without Shift, Arabic letters).
 */
(function () {
  "use strict";
  var BURST_MS = 35;
  var MIN_BURST = 6;

  function fromCode(code, shift) {
    var m = /^Key([A-Z])$/.exec(code);
    if (m) { return m[1]; }
    m = /^(?:Digit|Numpad)([0-9])$/.exec(code);
    if (m) { return m[1]; }
    switch (code) {
      case "Minus": case "NumpadSubtract": return "-";
      case "Backslash": case "IntlBackslash": return "|";
      case "Space": return " ";
      case "Period": case "NumpadDecimal": return ".";
      case "Slash": case "NumpadDivide": return "/";
      default: return null;
    }
  }

  function fromKey(key) {
    if (typeof key === "string" && key.length === 1 && /[0-9A-Za-z|\-. \/]/.test(key)) {
      return key.toUpperCase();
    }
    return null;
  }

  function insert(field, text) {
    var start = field.selectionStart === null ? field.value.length : field.selectionStart;
    var end = field.selectionEnd === null ? field.value.length : field.selectionEnd;
    field.setRangeText(text, start, end, "end");
  }

  function attach(field) {
    var burst = [];
    var before = "";

    field.addEventListener("focus", function () { burst = []; });
    field.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey) { return; }
      var now = e.timeStamp || Date.now();
      if (e.key === "Enter" || e.code === "Enter" || e.code === "NumpadEnter") {
        if (isBurst(burst)) {
          field.value = before + codes(burst);
        }
        burst = [];
        return; /* the form submits as usual */
      }
      var byCode = fromCode(e.code, e.shiftKey);
      if (byCode === null) { return; }
      var last = burst.length ? burst[burst.length - 1].t : null;
      if (last === null || now - last > 1000) {
        burst = [];
        before = field.value.slice(0, field.selectionStart === null ? field.value.length : field.selectionStart);
      }
      burst.push({ t: now, byCode: byCode });
      e.preventDefault();
      if (burst.length > 1 && allFast(burst)) {
        field.value = before + codes(burst);  /* a scanner so far: positions only */
      } else {
        insert(field, fromKey(e.key) || byCode);
      }
    });
  }

  function codes(keys) {
    var text = "";
    keys.forEach(function (k) { text += k.byCode; });
    return text;
  }

  function allFast(keys) {
    for (var i = 1; i < keys.length; i++) {
      if (keys[i].t - keys[i - 1].t > BURST_MS) { return false; }
    }
    return true;
  }

  function isBurst(keys) {
    if (keys.length < MIN_BURST) { return false; }
    var gaps = [];
    for (var i = 1; i < keys.length; i++) { gaps.push(keys[i].t - keys[i - 1].t); }
    gaps.sort(function (a, b) { return a - b; });
    return gaps[Math.floor(gaps.length / 2)] <= BURST_MS;
  }

  document.querySelectorAll("input[data-scanner]").forEach(attach);
}());
