from pegasus.core.roles import roles_of


def pegasus(request):
    return {"user_roles": roles_of(request.user)}
