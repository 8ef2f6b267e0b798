from django import forms


class PreferenceForm(forms.Form):
    email = forms.CharField(
        label="电子邮箱",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "name@example.org"}),
        help_text="留空则不发送电子邮件；站内消息始终可以查看。",
    )
    email_enabled = forms.BooleanField(label="通过电子邮件接收消息", required=False)
