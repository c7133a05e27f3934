from ninja import Router, Schema

from ganzhi.api.services import token_issue

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post("/token", auth=None, response=TokenOut)
def issue_token(request, payload: TokenIn):
    """Exchange a username and password for a bearer token."""
    return {
        "token": token_issue(request=request, username=payload.username, password=payload.password)
    }
