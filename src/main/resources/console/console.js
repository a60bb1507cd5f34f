// Rotor console: the only script besides htmx (no inline script: the Content-Security-Policy forbids it).
// A revealed secret hides itself after data-autohide seconds; a copy button copies it.
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('[data-autohide]').forEach(function (field) {
    var seconds = parseInt(field.getAttribute('data-autohide'), 10) || 30;
    setTimeout(function () {
      field.value = '';
      field.hidden = true;
      var copy = document.getElementById('copy-secret');
      if (copy) { copy.hidden = true; }
      var note = document.getElementById('secret-hidden');
      if (note) { note.hidden = false; }
    }, seconds * 1000);
  });
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var field = document.getElementById(button.getAttribute('data-copy'));
      if (field && navigator.clipboard) { navigator.clipboard.writeText(field.value); }
    });
  });
});
