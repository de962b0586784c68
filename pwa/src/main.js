import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import './styles/base.css'
import { nameVantControls } from './a11y/nameVantControls'

createApp(App).use(router).mount('#app')
nameVantControls()
