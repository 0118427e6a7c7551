// dash-personas: the persona selection, shown the moment it is made.
//
// Served by dash_personas.components.register_callbacks (a script of the page). A
// click on a card's "Select" button (or Enter / Space on it) is handled here, before
// Dash hears of it: the two cards whose state changes, their buttons and every chart
// of the gallery's group show the selection in the same task as the click, the page's
// address bar too when the galleries sit in a [data-dash-personas-url] element. Dash's
// renderer walks every component of the page several times per callback, so the
// selection store is set after the browser has painted the selection; the gallery's
// clientside callback then brings Dash's copy of the props in line (the same values:
// nothing visible left to do). A selection written to the store by anything else (a
// host app's callback, the store's persistence) is shown by that callback with the
// same functions.
(function () {
    'use strict';
    // card and button classes, labels, the dimmed opacity: filled in by the server
    const CONFIG = /*DASH_PERSONAS_CONFIG*/null;
    const GALLERY = CONFIG.gallery;
    const CHART = CONFIG.chart;

    // Dash writes a dict id as its JSON with the keys sorted
    function idOf(id) {
        return JSON.stringify(Object.keys(id).sort().reduce(
            (o, k) => { o[k] = id[k]; return o; }, {}));
    }

    function parseId(text) {
        if (!text || text.charAt(0) !== '{') { return null; }
        try { return JSON.parse(text); } catch (e) { return null; }
    }

    function cardClass(on) { return on ? CONFIG.card_on : CONFIG.card_off; }
    function buttonClass(on) { return on ? CONFIG.button_on : CONFIG.button_off; }
    function buttonLabel(on) { return on ? CONFIG.label_on : CONFIG.label_off; }

    // The rule of dash_personas.figures.highlight_figure, on a figure dict (in place):
    // a persona's traces (``meta`` its id) at full opacity when it is the selected one
    // or nothing is selected, dimmed otherwise; a heatmap with layout.meta.persona_ids
    // has an outline shape per column, in the figure's text colour, opacity 1 around
    // the selected column and 0 around the others.
    function highlightFigure(fig, chosen) {
        const data = fig.data || [];
        const layout = fig.layout || {};
        data.forEach(t => {
            if (typeof t.meta === 'string') {
                t.opacity = (chosen === null || chosen === t.meta) ? 1.0 : CONFIG.dim;
            }
        });
        const meta = layout.meta;
        const ids = (meta && typeof meta === 'object' && meta.persona_ids) || null;
        const shapes = (layout.shapes || []).filter(s => s.name !== 'highlight');
        if (ids && data.length && data[0].type === 'heatmap') {
            const font = ((layout.template || {}).layout || {}).font || {};
            ids.forEach((persona, j) => shapes.push({
                type: 'rect', name: 'highlight', xref: 'x', yref: 'paper',
                x0: j - 0.5, x1: j + 0.5, y0: 0, y1: 1, opacity: persona === chosen ? 1 : 0,
                line: {width: 3, color: font.color || CONFIG.reference}}));
        }
        layout.shapes = shapes;
        fig.layout = layout;
        return fig;
    }

    const opacityOf = t => (t.opacity === undefined ? 1 : t.opacity);

    // A drawn Plotly graph shows the selection, set in place as Plotly's own style step
    // does (no re-plot, no relayout: dcc.Graph answers a relayout by re-plotting the
    // chart): the opacity of the drawn trace groups, and of the heatmap's outline
    // shapes; nothing is done when the graph shows it already.
    function highlightGraph(gd, chosen) {
        if (!gd.data || !gd.layout || !window.Plotly) { return; }
        const fig = highlightFigure({data: gd.data.map(t => ({type: t.type, meta: t.meta,
                                                             opacity: t.opacity})),
                                     layout: Object.assign({}, gd.layout)}, chosen);
        if (gd.data.length && gd.data[0].type === 'heatmap') {
            outlineInPlace(gd, fig.layout.shapes);
            return;
        }
        const opacity = fig.data.map(opacityOf);
        if (opacity.every((o, i) => o === opacityOf(gd.data[i]))) { return; }
        if (!restyleInPlace(gd, opacity)) { window.Plotly.restyle(gd, {opacity: opacity}); }
    }

    // The heatmap's outlines: their opacity on the drawn shapes, in Plotly's layout and
    // full layout (what a later redraw reads); a relayout when they are not drawn.
    function outlineInPlace(gd, wanted) {
        const shapes = gd.layout.shapes || [];
        const full = (gd._fullLayout || {}).shapes || [];
        const same = wanted.length === shapes.length && wanted.every(
            (s, i) => s.name === shapes[i].name && (s.name !== 'highlight'
                                                   || s.x0 === shapes[i].x0));
        if (!same) { window.Plotly.relayout(gd, {shapes: wanted}); return; }
        wanted.forEach((s, i) => {
            if (s.name !== 'highlight' || opacityOf(shapes[i]) === s.opacity) { return; }
            shapes[i].opacity = s.opacity;
            if (full[i]) { full[i].opacity = s.opacity; }
            const path = gd.querySelector('.shapelayer path[data-index="' + i + '"]');
            if (path) { path.style.opacity = s.opacity; }
        });
    }

    function restyleInPlace(gd, opacity) {
        const cds = gd.calcdata || [];
        if (cds.length !== opacity.length) { return false; }
        if (!cds.every(cd => cd && cd[0] && cd[0].node3 && cd[0].trace)) { return false; }
        cds.forEach((cd, i) => {
            cd[0].trace.opacity = opacity[i];
            gd.data[i].opacity = opacity[i];
            cd[0].node3.style('opacity', opacity[i]);
        });
        return true;
    }

    function setLabel(button, text) {
        // the text node React rendered stays (React writes to it later)
        const node = button.firstChild;
        if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling) {
            if (node.nodeValue !== text) { node.nodeValue = text; }
        } else if (button.textContent !== text) {
            button.textContent = text;
        }
    }

    // Show ``chosen`` (a persona id or null) on gallery (aioId, group): its cards and
    // buttons whose state changes, and every drawn chart of the group.
    function showSelection(aioId, group, chosen) {
        for (const button of document.querySelectorAll('button.dash-personas-select')) {
            const id = parseId(button.id);
            if (!id || id.component !== GALLERY || id.aio_id !== aioId || id.group !== group) {
                continue;
            }
            const on = id.persona === chosen;
            if ((button.getAttribute('aria-pressed') === 'true') === on) { continue; }
            button.setAttribute('aria-pressed', on ? 'true' : 'false');
            button.className = buttonClass(on);
            setLabel(button, buttonLabel(on));
            const card = document.getElementById(
                idOf(Object.assign({}, id, {subcomponent: 'card'})));
            if (card) { card.className = cardClass(on); }
        }
        for (const gd of document.querySelectorAll('.dash-personas-chart .js-plotly-plot')) {
            const holder = gd.parentElement && gd.parentElement.closest('[id]');
            const id = holder && parseId(holder.id);
            if (id && id.component === CHART && id.group === group) {
                highlightGraph(gd, chosen);
            }
        }
    }

    // The view's query with ``selected`` as its persona (``ViewState.to_query``'s
    // order: the persona first; values encoded as ``urllib.parse.quote`` does).
    function selectionQuery(selected, current) {
        const encode = v => encodeURIComponent(v).replace(
            /[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase());
        const rest = (current || '').split('&').filter(p => p && !p.startsWith('persona='));
        return (selected ? ['persona=' + encode(selected), ...rest] : rest).join('&');
    }

    // A selection replaces the history entry: selections are no steps for Back.
    function replaceQuery(query) {
        const url = window.location.pathname + (query ? '?' + query : '')
            + window.location.hash;
        if (url !== window.location.pathname + window.location.search + window.location.hash) {
            window.history.replaceState(window.history.state, '', url);
        }
    }

    // Stores to set once the selection is painted (a second click before then: the
    // last selection of each gallery is the one set).
    const pending = new Map();

    // A click not yet in its gallery's store (no gallery given: in any gallery's). Dash
    // may still be running what the previous selection set off: it must not show that
    // one again over the newer click.
    function isPending(aioId, group) {
        if (aioId === undefined) { return pending.size > 0; }
        return pending.has(idOf(storeOf(aioId, group)));
    }

    // What gallery (aioId, group) shows: its pending click, else ``stored``.
    function shownSelection(aioId, group, stored) {
        const item = pending.get(idOf(storeOf(aioId, group)));
        return item === undefined ? stored : item[1];
    }

    function storeOf(aioId, group) {
        return {component: GALLERY, subcomponent: 'selection', aio_id: aioId, group: group};
    }

    function afterPaint(task) {
        if (document.visibilityState === 'hidden') { setTimeout(task, 0); }
        else { requestAnimationFrame(() => setTimeout(task, 0)); }
    }

    function setStores() {
        const stores = [...pending.values()];
        pending.clear();
        stores.forEach(([id, chosen]) => window.dash_clientside.set_props(id, {data: chosen}));
    }

    function onClick(event) {
        const target = event.target;
        const button = target instanceof Element
            && target.closest('button.dash-personas-select');
        const id = button && parseId(button.id);
        if (!id || id.component !== GALLERY || id.subcomponent !== 'select') { return; }
        // Dash is told below, through the selection store (the button's click is not
        // passed on: it would run the renderer before the page is painted)
        event.stopPropagation();
        const chosen = button.getAttribute('aria-pressed') === 'true' ? null : id.persona;
        showSelection(id.aio_id, id.group, chosen);
        if (button.closest('[data-dash-personas-url]')) {
            replaceQuery(selectionQuery(chosen, window.location.search.slice(1)));
        }
        const store = storeOf(id.aio_id, id.group);
        const first = pending.size === 0;
        pending.set(idOf(store), [store, chosen]);
        if (first) { afterPaint(setStores); }
    }

    document.addEventListener('click', onClick, true);
    window.dash_personas = Object.assign(window.dash_personas || {}, {
        cardClass, buttonClass, buttonLabel, highlightFigure, showSelection,
        selectionQuery, replaceQuery, isPending, shownSelection,
    });
})();
