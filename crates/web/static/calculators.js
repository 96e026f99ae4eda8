// Calculettes: one small form per calculator, posting JSON to /api/v1/calc/<name> with the
// session's CSRF token, and the answer shown as a French table (the API keeps its JSON).
// Plain JavaScript, no build step.
(function () {
  "use strict";
  var root = document.getElementById("calculators");
  if (!root) { return; }
  var csrf = root.getAttribute("data-csrf");
  // A field: [name, label, default, type]; type is money, date, int, bool, rate or a list of
  // [code, label] choices.
  var creditors = [["other", "Autre créancier (cas de la banque)"], ["individual", "Particulier (hors besoins professionnels)"]];
  var calculators = [
    { name: "seizable-wage", title: "Quotité saisissable sur salaire (C. trav. R3252-2, -3, -5)",
      fields: [["monthly_net", "Salaire net mensuel (€)", "2000,00", "money"], ["dependants", "Personnes à charge", "0", "int"], ["on", "Date", "2025-06-01", "date"]] },
    { name: "unseizable-balance", title: "Solde bancaire insaisissable (CPCE R162-2)",
      fields: [["on", "Date", "2025-06-01", "date"]] },
    { name: "legal-interest", title: "Intérêts au taux légal (C. mon. fin. L313-2, L313-3)",
      fields: [["principal", "Capital (€)", "10000,00", "money"], ["from", "Du", "2025-01-01", "date"], ["to", "Au", "2026-01-01", "date"], ["creditor", "Créancier", "other", creditors], ["judgment_served_on", "Jugement signifié le (facultatif)", "", "date"]] },
    { name: "deadline", title: "Délai de procédure (CPC 641, 642)",
      fields: [["from", "Point de départ", "2026-04-08", "date"], ["months", "Mois", "1", "int"], ["days", "Jours", "", "int"], ["alsace_moselle", "Alsace-Moselle (droit local)", false, "bool"]] },
    { name: "allocate-payment", title: "Imputation d'un paiement (C. civ. 1343-1)",
      fields: [["amount", "Paiement (€)", "300,00", "money"], ["costs", "Frais (€)", "50,00", "money"], ["interest", "Intérêts (€)", "120,00", "money"], ["principal", "Capital (€)", "1000,00", "money"], ["capital_first", "Capital d'abord (surendettement, C. consom. L733-1)", false, "bool"]] },
    { name: "payment-plan", title: "Échéancier (C. civ. 1343-5)",
      fields: [["debt", "Dette (€)", "4800,00", "money"], ["monthly_capacity", "Capacité mensuelle (€)", "250,00", "money"], ["first_due", "Première échéance", "2026-01-05", "date"], ["max_instalments", "Nombre maximum d'échéances", "24", "int"], ["annual_rate", "Taux annuel (%)", "0", "rate"]] }
  ];

  // The answers' keys in French; amounts are the keys listed in `money`.
  var labels = {
    seizable_monthly: "Part saisissable par mois", unseizable_floor: "Plancher insaisissable (solde bancaire)",
    seizable_monthly_by_bands: "Part saisissable selon le barème", limited_by_floor: "Limitée par le plancher",
    monthly_net: "Salaire net mensuel", annual_net: "Salaire net annuel", dependants: "Personnes à charge",
    on: "Date", bands: "Tranches du barème", bands_source: "Source du barème", floor_source: "Source du plancher",
    article: "Texte appliqué", amount: "Montant", from: "Du", until: "Jusqu'au", to: "Au", balance: "Solde",
    seizable: "Part saisissable", source: "Source", interest: "Intérêts", periods: "Périodes",
    principal: "Capital", creditor: "Créancier", increase_from: "Majoration de 5 points à partir du",
    sources: "Sources", rate: "Taux annuel (%)", days: "Jours", semester: "Semestre", increased: "Majoré",
    due: "Échéance du délai", nominal: "Échéance avant report", extended: "Reporté au jour ouvrable suivant",
    reason: "Motif du report", months: "Mois", alsace_moselle: "Alsace-Moselle", costs: "Frais",
    unallocated: "Non imputé", capital_first: "Capital d'abord", instalments: "Échéances", total: "Total dû",
    debt: "Dette", interest_total: "Total des intérêts", count: "Nombre d'échéances",
    monthly_capacity: "Capacité mensuelle", max_instalments: "Nombre maximum d'échéances",
    annual_rate: "Taux annuel (%)", number: "N°", remaining: "Capital restant dû", fraction: "Fraction saisissable",
    annual_amount: "Montant annuel de la tranche", seizable_annual: "Part saisissable annuelle"
  };
  var money = { seizable_monthly: 1, unseizable_floor: 1, seizable_monthly_by_bands: 1, monthly_net: 1,
    annual_net: 1, amount: 1, balance: 1, seizable: 1, interest: 1, principal: 1, costs: 1, unallocated: 1,
    total: 1, debt: 1, interest_total: 1, monthly_capacity: 1, remaining: 1, annual_amount: 1, seizable_annual: 1 };
  var codes = { other: "autre créancier", individual: "particulier" };

  function euros(text) {
    var negative = text.charAt(0) === "-";
    var parts = text.replace("-", "").split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
    var cents = ((parts[1] || "") + "00").slice(0, 2);
    return (negative ? "-" : "") + whole + "," + cents + "\u00a0€";
  }

  function show(key, value) {
    if (value === null || value === undefined) { return "—"; }
    if (typeof value === "boolean") { return value ? "oui" : "non"; }
    if (typeof value === "number") { return String(value); }
    if (money[key] && (key !== "from" && key !== "to")) { return euros(String(value)); }
    var date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (date) { return date[3] + "/" + date[2] + "/" + date[1]; }
    var semester = /^(\d{4})-([12])$/.exec(value);
    if (key === "semester" && semester) { return (semester[2] === "1" ? "1er" : "2e") + " semestre " + semester[1]; }
    if (key === "rate" || key === "annual_rate" || key === "fraction") { return String(value).replace(".", ","); }
    if (codes[value] !== undefined && key === "creditor") { return codes[value]; }
    return String(value);
  }

  function element(name, text, className) {
    var node = document.createElement(name);
    if (text !== undefined) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  // A list of objects as a table, one column per key (money in the band tables: `from`/`to`
  // are amounts there, dates elsewhere: `show` tells them apart by their shape).
  function listTable(items) {
    var wrap = element("div", undefined, "table-scroll");
    wrap.tabIndex = 0;
    var table = element("table", undefined, "list");
    var keys = Object.keys(items[0] || {});
    var head = element("tr");
    keys.forEach(function (key) {
      var th = element("th", labels[key] || key, money[key] || typeof items[0][key] === "number" ? "num" : "");
      th.scope = "col";
      head.appendChild(th);
    });
    var thead = element("thead"); thead.appendChild(head); table.appendChild(thead);
    var tbody = element("tbody");
    items.forEach(function (item) {
      var row = element("tr");
      keys.forEach(function (key) {
        var value = item[key];
        var isAmount = money[key] || (/^-?\d+\.\d{2}$/.test(String(value)) && (key === "from" || key === "to"));
        row.appendChild(element("td", isAmount ? euros(String(value)) : show(key, value), isAmount || typeof value === "number" ? "num" : ""));
      });
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
    wrap.appendChild(table);
    return wrap;
  }

  function answerTable(answer) {
    var box = element("div");
    var facts = element("table", undefined, "facts");
    var body = element("tbody");
    var lists = [];
    Object.keys(answer).forEach(function (key) {
      var value = answer[key];
      if (Array.isArray(value) && value.length && typeof value[0] === "object") { lists.push(key); return; }
      var row = element("tr");
      var th = element("th", labels[key] || key); th.scope = "row";
      row.appendChild(th);
      var text = Array.isArray(value) ? (value.length ? value.map(function (v) { return show(key, v); }).join(" ; ") : "—") : show(key, value);
      row.appendChild(element("td", text, money[key] ? "num" : ""));
      body.appendChild(row);
    });
    facts.appendChild(body);
    box.appendChild(facts);
    lists.forEach(function (key) {
      box.appendChild(element("h3", labels[key] || key));
      box.appendChild(listTable(answer[key]));
    });
    return box;
  }

  calculators.forEach(function (calc) {
    var section = element("section", undefined, "card calc");
    section.setAttribute("aria-labelledby", calc.name + "-title");
    var heading = element("h2", calc.title);
    heading.id = calc.name + "-title";
    section.appendChild(heading);
    var form = element("form", undefined, "grid-form");
    form.setAttribute("data-calc", calc.name);
    calc.fields.forEach(function (field) {
      var id = calc.name + "-" + field[0];
      var type = field[3];
      var label = element("label");
      label.setAttribute("for", id);
      var input;
      if (type === "bool") {
        label.className = "check";
        input = element("input");
        input.type = "checkbox";
        input.checked = field[2] === true;
      } else if (Array.isArray(type)) {
        input = element("select");
        type.forEach(function (choice) {
          var option = element("option", choice[1]);
          option.value = choice[0];
          option.selected = choice[0] === field[2];
          input.appendChild(option);
        });
      } else {
        input = element("input");
        if (type === "date") { input.type = "date"; }
        if (type === "int") { input.inputMode = "numeric"; }
        if (type === "money" || type === "rate") { input.inputMode = "decimal"; }
        input.value = field[2];
      }
      input.id = id;
      input.name = field[0];
      if (type === "bool") {
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + field[1]));
      } else {
        label.appendChild(document.createTextNode(field[1]));
        label.appendChild(input);
      }
      form.appendChild(label);
    });
    var actions = element("div", undefined, "actions");
    var button = element("button", "Calculer");
    button.type = "submit";
    actions.appendChild(button);
    form.appendChild(actions);
    var output = element("div", undefined, "calc-result");
    output.setAttribute("aria-live", "polite");
    output.id = calc.name + "-result";
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {};
      calc.fields.forEach(function (field) {
        var input = form.elements[field[0]];
        if (field[3] === "bool") { body[field[0]] = input.checked; return; }
        var value = input.value.trim();
        if (value === "") { return; }
        if (field[3] === "int") { body[field[0]] = parseInt(value, 10); }
        else { body[field[0]] = value.replace(/\s/g, "").replace(",", "."); }
      });
      fetch("/api/v1/calc/" + calc.name, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (json) { return { ok: response.ok, json: json }; });
      }).then(function (result) {
        output.textContent = "";
        if (result.ok) {
          output.appendChild(answerTable(result.json));
        } else {
          var message = element("p", result.json.error, "flash flash-err");
          message.setAttribute("role", "alert");
          output.appendChild(message);
        }
      });
    });
    section.appendChild(form);
    section.appendChild(output);
    root.appendChild(section);
  });
})();
