"""Pages of the knowledge base: list and search, an article, the editor, agents' suggestions and the
public pages (no sign-in, public published articles only, 404 for anything else)."""
from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from fidelia.accounts import policies
from fidelia.core.errors import DomainError
from fidelia.core.htmx import pick_template
from fidelia.core.ratelimit import rate_limited
from fidelia.knowledge import selectors, services
from fidelia.knowledge.forms import ArticleForm, SearchForm

SUGGEST_LIMIT = 5


def _require_reader(request: HttpRequest) -> None:
    if not policies.can_read_knowledge(request.user):
        raise Http404


@login_required
@require_GET
@vary_on_headers("HX-Request")
def index(request: HttpRequest) -> HttpResponse:
    """Articles, most used first, or the ranked results of a search; HTMX gets the rows only."""
    _require_reader(request)
    form = SearchForm(request.GET or None)
    args = form.cleaned_data if form.is_valid() else {}
    category = args.get("category")
    articles = selectors.article_list(user=request.user, q=args.get("q", ""), language=args.get("language", ""),
                                      category_id=category.pk if category else None)
    return render(request, pick_template(request, "knowledge/index.html", "knowledge/partials/article_rows.html"),
                  {"form": form, "articles": articles[:100], "can_edit": policies.can_edit_knowledge(request.user)})


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    article = selectors.article_get_for_user(user=request.user, pk=pk)
    return render(request, "knowledge/detail.html",
                  {"article": article, "can_edit": policies.can_edit_knowledge(request.user)})


def _save(request: HttpRequest, form: ArticleForm, article: object | None) -> HttpResponse | None:
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        if article is None:
            article = services.article_create(actor=request.user, **data)
        else:
            article = services.article_update(article=article, actor=request.user,
                                               version=form.cleaned_data.get("version") or 0, **data)
    except DomainError as exc:
        form.add_error(None, exc.message)
        for field, errors in exc.fields.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    messages.success(request, _("Article saved."))
    return redirect("knowledge:detail", pk=article.pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The editor, for agents and administrators; a stale save shows an error and keeps the input."""
    if not policies.can_edit_knowledge(request.user):
        raise Http404
    article = selectors.article_get_for_user(user=request.user, pk=pk) if pk else None
    initial = ({name: getattr(article, name) for name in services.FIELDS} | {"version": article.version}
               if article else {"language": request.LANGUAGE_CODE[:2] if request.LANGUAGE_CODE[:2] in ("fr", "en") else "fr"})
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, article)
        if saved is not None:
            return saved
    return render(request, "knowledge/form.html", {"form": form, "article": article})


@login_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """HTML fragment of suggestions for `?q=` (what the agent is typing). `?box=<textarea id>` names
    the box a "use" inserts the answer into. Empty for anyone who may not read the knowledge base."""
    box = request.GET.get("box", "")[:60]
    articles = selectors.article_suggest(user=request.user, text=request.GET.get("q", "")[:500],
                                         limit=SUGGEST_LIMIT)
    return render(request, "knowledge/partials/suggestions.html",
                  {"articles": articles, "box": box if box.replace("_", "").replace("-", "").isalnum() else "",
                   "q": request.GET.get("q", "")})


@login_required
@require_POST
def use(request: HttpRequest, pk: int) -> HttpResponse:
    """Count a use and send the answer back: the fragment says it was used and, through the
    `kb-article-used` HTMX event, the page inserts the text in the `box` it names. (The key is not
    `target`: htmx reads a `target` in an event's detail as the selector of the element to fire it on.)"""
    _require_reader(request)
    article = selectors.article_get_for_user(user=request.user, pk=pk)
    services.article_note_use(article=article, actor=request.user)
    response = render(request, "knowledge/partials/used.html", {"article": article})
    detail = {"box": request.POST.get("box", "")[:60], "title": article.title, "text": article.body,
              "url": request.build_absolute_uri(article_public_url(article)) if article.audience == "public" else ""}
    response["HX-Trigger"] = json.dumps({"kb-article-used": detail})
    return response


def article_public_url(article: object) -> str:
    from django.urls import reverse

    return reverse("knowledge:public_detail", args=[article.pk])


@require_GET
@rate_limited("knowledge_public")
def public_index(request: HttpRequest) -> HttpResponse:
    """The public help centre: published public articles, searchable without signing in."""
    q = request.GET.get("q", "")[:200]
    articles = (selectors.article_search(user=None, q=q, limit=30, public_only=True) if q.strip()
                else selectors.public_articles().defer("search_vector", "search_text").order_by("-usage_count", "title")[:50])
    return render(request, "knowledge/public_index.html", {"articles": articles, "q": q})


@require_GET
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.public_article_get(pk=pk)
    return render(request, "knowledge/public_detail.html", {"article": article})
