// Portico Setup pages: small progressive enhancements. Every page works without this file;
// it only hides fields whose checkbox is off, counts callback URL characters as the server
// does, turns the scope checkboxes into Salesforce's two-list picker, adds copy buttons and
// suggests API names. The CSP allows scripts from this origin only, so no inline handlers.
(function () {
  'use strict';

  // Fields that depend on a checkbox appear only while it is on.
  function syncDependents() {
    document.querySelectorAll('[data-depends-on]').forEach(function (el) {
      var box = document.getElementById(el.getAttribute('data-depends-on'));
      if (box) el.hidden = !box.checked;
    });
  }
  document.querySelectorAll('[data-depends-on]').forEach(function (el) {
    var box = document.getElementById(el.getAttribute('data-depends-on'));
    if (box) box.addEventListener('change', syncDependents);
  });
  syncDependents();

  // The callback URL counter counts as validation does: the URLs (trimmed, blank lines and
  // repeats dropped) joined by single line breaks, in characters (code points).
  function storedChars(text) {
    var seen = [];
    text.split(/\r\n|\r|\n/).forEach(function (line) {
      var url = line.trim();
      if (url && seen.indexOf(url) < 0) seen.push(url);
    });
    var total = seen.reduce(function (n, url) { return n + Array.from(url).length; }, 0);
    return total + Math.max(seen.length - 1, 0);
  }
  document.querySelectorAll('textarea[data-char-limit]').forEach(function (area) {
    var limit = Number(area.getAttribute('data-char-limit'));
    var out = document.getElementById(area.getAttribute('data-counter'));
    if (!out) return;
    function update() {
      var n = storedChars(area.value);
      out.textContent = n.toLocaleString('en-US') + ' of ' + limit.toLocaleString('en-US') + ' characters';
      out.classList.toggle('over', n > limit);
    }
    area.addEventListener('input', update);
    update();
  });

  // Copy buttons: hidden until this script can make them work.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var scratch = document.createElement('textarea');
    scratch.value = text;
    scratch.setAttribute('readonly', '');
    scratch.className = 'offscreen';
    document.body.appendChild(scratch);
    scratch.select();
    try { document.execCommand('copy'); } finally { document.body.removeChild(scratch); }
    return Promise.resolve();
  }
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    var source = document.getElementById(button.getAttribute('data-copy'));
    if (!source) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      copyText(source.textContent.trim()).then(function () {
        button.textContent = 'Copied';
        setTimeout(function () { button.textContent = 'Copy'; }, 1500);
      }, function () {
        button.textContent = 'Copy failed';
      });
    });
  });

  // The scope picker: the checkboxes stay the form's truth (hidden); two lists move them.
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }
  document.querySelectorAll('[data-scope-picker]').forEach(function (fieldset) {
    var list = fieldset.querySelector('.scope-checks');
    var boxes = Array.prototype.slice.call(fieldset.querySelectorAll('input[type=checkbox]'));
    if (!list || !boxes.length) return;
    var labelOf = function (box) {
      var label = fieldset.querySelector('label[for="' + box.id + '"]');
      return label ? label.textContent : box.value;
    };
    var picker = el('div', { 'class': 'picker' });
    var left = el('div', { 'class': 'picker-list' });
    var available = el('select', { id: 'scopes-available', multiple: '', size: '10' });
    left.appendChild(el('label', { 'for': 'scopes-available' }, 'Available OAuth Scopes'));
    left.appendChild(available);
    var middle = el('div', { 'class': 'picker-buttons' });
    var add = el('button', { type: 'button', 'class': 'secondary' }, 'Add');
    var remove = el('button', { type: 'button', 'class': 'secondary' }, 'Remove');
    add.appendChild(el('span', { 'aria-hidden': 'true' }, ' ›'));
    remove.insertBefore(el('span', { 'aria-hidden': 'true' }, '‹ '), remove.firstChild);
    middle.appendChild(add);
    middle.appendChild(remove);
    var right = el('div', { 'class': 'picker-list' });
    var selected = el('select', { id: 'scopes-selected', multiple: '', size: '10' });
    right.appendChild(el('label', { 'for': 'scopes-selected' }, 'Selected OAuth Scopes'));
    right.appendChild(selected);
    picker.appendChild(left);
    picker.appendChild(middle);
    picker.appendChild(right);

    function render() {
      available.textContent = '';
      selected.textContent = '';
      boxes.forEach(function (box) {
        var option = el('option', { value: box.value, title: labelOf(box) }, labelOf(box));
        (box.checked ? selected : available).appendChild(option);
      });
    }
    function move(from, on) {
      Array.prototype.forEach.call(from.selectedOptions, function (option) {
        boxes.forEach(function (box) { if (box.value === option.value) box.checked = on; });
      });
      render();
    }
    add.addEventListener('click', function () { move(available, true); });
    remove.addEventListener('click', function () { move(selected, false); });
    available.addEventListener('dblclick', function () { move(available, true); });
    selected.addEventListener('dblclick', function () { move(selected, false); });
    list.hidden = true;
    list.parentNode.insertBefore(picker, list.nextSibling);
    render();
  });

  // API names: suggested from the label, as Salesforce does, while the name is still empty.
  document.querySelectorAll('[data-api-name-from]').forEach(function (name) {
    var label = document.getElementById(name.getAttribute('data-api-name-from'));
    if (!label) return;
    label.addEventListener('blur', function () {
      if (name.value.trim()) return;
      var suggestion = label.value.trim()
        .replace(/[^A-Za-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '')
        .replace(/^([^A-Za-z])/, 'X$1');
      name.value = suggestion.slice(0, 80);
    });
  });

  // After a failed save, start at the summary of errors.
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();
})();
