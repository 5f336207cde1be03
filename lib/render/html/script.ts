/**
 * The page's only script, inlined (no network, no framework): shows the verdict filter
 * (hidden without JavaScript, where every claim stays visible), hides the claim rows whose
 * status is unticked and says so per experiment, re-ticks the status of a claim a link
 * jumps to, and opens every evidence <details> before printing.
 */

/** JavaScript of the report page (ES5, runs in any browser). */
export const PAGE_SCRIPT = `
(function () {
  var filter = document.getElementById('filter');
  if (!filter) return;
  filter.hidden = false;
  var boxes = filter.querySelectorAll('input[type=checkbox]');
  function apply() {
    var on = {};
    for (var i = 0; i < boxes.length; i++) on[boxes[i].value] = boxes[i].checked;
    var groups = document.querySelectorAll('table.claims');
    for (var g = 0; g < groups.length; g++) {
      var rows = groups[g].querySelectorAll('tr[data-claim]'), shown = 0;
      for (var r = 0; r < rows.length; r++) {
        var visible = on[rows[r].getAttribute('data-status')] !== false;
        rows[r].hidden = !visible;
        if (visible) shown++;
      }
      var none = groups[g].parentNode.querySelector('.none-shown');
      if (none) none.hidden = shown > 0;
    }
  }
  filter.addEventListener('change', apply);
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var row = id ? document.getElementById(id) : null;
    if (row && row.hidden) {
      for (var i = 0; i < boxes.length; i++) if (boxes[i].value === row.getAttribute('data-status')) boxes[i].checked = true;
      apply();
      row.scrollIntoView();
    }
  }
  window.addEventListener('hashchange', reveal);
  window.addEventListener('beforeprint', function () {
    var all = document.querySelectorAll('details');
    for (var i = 0; i < all.length; i++) all[i].open = true;
  });
})();
`;
